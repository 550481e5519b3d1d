"""compiler.diagram: the architecture graph read from compiled stack sets, as Mermaid and dot text."""

from __future__ import annotations

from fgc.compiler import StackSet, diagram

from fgc import compiler, spec

THREE_SERVICES = """
app: shop
discovery: {namespace: shop.local}
registries:
  shop/worker: {}
services:
  web:
    image: nginx:1.27
    port: 8080
    http: {path: /}
  api:
    image: nginx:1.27
    port: 8000
    http: {path: /api}
    discovery: api
    secrets: {TOKEN: {secretsmanager: shop/token}}
    scaling: {min: 2, max: 6, cpu: 60}
    capacity: {on_demand_base: 1, on_demand: 1, spot: 1}
  worker:
    image: {registry: shop/worker, tag: "1"}
    logs: {retention: 14}
"""


def mermaid(stack_set: StackSet, registries: StackSet | None = None) -> list[str]:
    return diagram.to_mermaid(diagram.build(stack_set, registries), stack_set.stack_name).splitlines()


def is_edge(line: str) -> bool:
    return " --> " in line or " -->|" in line or " -.->" in line


def test_a_three_service_app_in_mermaid_node_by_node() -> None:
    document = spec.loads(THREE_SERVICES, environ={})
    text = mermaid(compiler.compile(document), compiler.compile_registries(document))
    assert text[:4] == ["---", "title: shop", "---", "flowchart LR"]
    nodes = [line.strip() for line in text[4:] if not is_edge(line) and line.strip() != "end"]
    assert nodes == [
        'internet(["internet"])',
        'lb["load balancer (internet-facing)<br/>HTTP :80"]',
        'subgraph vpc["VPC 10.0.0.0/16"]',
        'subgraph services["services: tasks in the private subnets of AZ 1, AZ 2"]',
        'svc_web["service web<br/>route: /*<br/>tasks: 1, 0.25 vCPU, 0.5 GB, x86_64<br/>port 8080<br/>log group, 30 days"]',
        # 2 tasks: base 1 + 1/2 on-demand -> 25% Spot; 6 tasks: 1 + 5/2 on-demand -> 42% Spot
        'svc_api["service api<br/>route: /api /api/*<br/>tasks: 2..6 (scaling), 0.25 vCPU, 0.5 GB, x86_64<br/>port 8000<br/>Spot 25%..42%'
        '<br/>api.shop.local<br/>log group, 30 days"]',
        'svc_worker["service worker<br/>tasks: 1, 0.25 vCPU, 0.5 GB, x86_64<br/>log group, 14 days"]',
        'subgraph az1["AZ 1"]',
        'az1_private["private subnet 10.0.0.0/20"]',
        'az1_public["public subnet 10.0.128.0/20"]',
        'subgraph az2["AZ 2"]',
        'az2_private["private subnet 10.0.16.0/20"]',
        'az2_public["public subnet 10.0.144.0/20"]',
        'endpoints["VPC endpoints<br/>interface, in every AZ: ecr.api, ecr.dkr, logs, secretsmanager, ssm<br/>gateway: s3"]',
        'image_nginx[("image nginx")]',
        'cloudmap(["Cloud Map<br/>shop.local"])',
        'secret_shop_token>"secret shop/token"]',
        'ecr_shop_worker[("ECR shop/worker")]',
    ]
    edges = [line.strip() for line in text if is_edge(line)]
    assert edges == [
        "internet --> lb",
        'services -->|"AWS APIs"| endpoints',
        "lb --> svc_web",
        "svc_web -.-> image_nginx",
        "lb --> svc_api",
        'svc_api -.->|"api.shop.local"| cloudmap',
        'svc_api -.->|"TOKEN"| secret_shop_token',
        "svc_api -.-> image_nginx",
        "svc_worker -.-> ecr_shop_worker",
    ]


def test_route_53_https_and_an_existing_vpc(golden_outputs: dict) -> None:
    text = "\n".join(mermaid(golden_outputs["existing-vpc-https"][0]))
    assert 'route53["Route 53<br/>shop.example.com"]' in text
    assert "HTTP :80 -> HTTPS<br/>HTTPS :443 (certificate)" in text
    assert 'internet -->|"DNS"| route53' in text and "route53 --> lb" in text
    assert 'subgraph vpc["VPC vpc-0abc1234 (existing)"]' in text
    assert (
        'az1_private["private subnet subnet-0b1"]' in text
        and 'az2_private["private subnet subnet-0b2"]' in text
    )


def test_nat_per_az_draws_a_gateway_in_each_zone(golden_outputs: dict) -> None:
    text = mermaid(golden_outputs["repo"][2])
    assert [line.strip() for line in text if "NAT gateway" in line] == [
        'az1_nat["NAT gateway<br/>to the internet"]',
        'az2_nat["NAT gateway<br/>to the internet"]',
    ]
    assert '  services -->|"egress"| az1_nat' in text and '  services -->|"egress"| az2_nat' in text


def test_the_same_stack_set_gives_the_same_text(golden_outputs: dict) -> None:
    for case in ("multi-service", "repo", "existing-vpc-https"):
        first, again = (
            golden_outputs[case][0],
            compiler.compile(spec.load(f"tests/golden/{case}/fargate.yaml", environ={})),
        )
        assert diagram.to_dot(diagram.build(first), "x") == diagram.to_dot(diagram.build(again), "x")
        assert diagram.to_mermaid(diagram.build(first), "x") == diagram.to_mermaid(diagram.build(again), "x")


def test_dot_edges_to_the_services_box_end_at_its_border(golden_outputs: dict) -> None:
    text = diagram.to_dot(diagram.build(golden_outputs["repo"][0]), "flask-api")
    assert 'svc_api -> endpoints [ltail=cluster_services, label="AWS APIs"];' in text
    assert "subgraph cluster_az1 {" in text and "subgraph cluster_az2 {" in text
