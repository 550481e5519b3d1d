"""``discovery.mode: service_connect`` compiled: what the cluster, each service, the root, the
cost estimate and the diagram say (the golden case tests/golden/service-connect pins the text)."""

from __future__ import annotations

from typing import Any

from fgc.compiler import StackSet, cost, diagram

from fgc import compiler, spec

APP = """\
app: shop
network: {vpc: {nat: single}}
discovery: {mode: MODE}
services:
  api: {image: nginx:1, port: 8080, discovery: api}
  web: {image: nginx:1, port: 8000, http: {path: /}}
  worker: {image: nginx:1}
"""


def _compile(mode: str = "service_connect") -> StackSet:
    return compiler.compile(spec.loads(APP.replace("MODE", mode), environ={}))


def _resource(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    return template["Resources"][logical_id]["Properties"]


def _types(template: dict[str, Any]) -> set[str]:
    return {r["Type"] for r in template["Resources"].values()}


def test_the_cluster_defaults_to_the_namespace_by_arn_and_holds_the_clients_group() -> None:
    cluster = _compile()["cluster"]
    defaults = _resource(cluster, "Cluster")["ServiceConnectDefaults"]
    assert defaults == {"Namespace": {"Fn::GetAtt": ["Namespace", "Arn"]}}
    assert cluster["Resources"]["Namespace"]["Type"] == "AWS::ServiceDiscovery::PrivateDnsNamespace"
    group = _resource(cluster, "ServiceConnectClients")
    assert "SecurityGroupIngress" not in group
    assert {"NamespaceArn", "ServiceConnectClientsSecurityGroupId"} <= set(cluster["Outputs"])


def test_a_publishing_service_names_its_port_and_publishes_it_under_its_name() -> None:
    api = _compile()["service-api"]
    config = _resource(api, "Service")["ServiceConnectConfiguration"]
    assert config["Enabled"] is True and config["Namespace"] == {"Ref": "NamespaceArn"}
    assert config["Services"] == [
        {"PortName": "api", "DiscoveryName": "api", "ClientAliases": [{"DnsName": "api", "Port": 8080}]}
    ]
    container = _resource(api, "TaskDefinition")["ContainerDefinitions"][0]
    assert container["PortMappings"] == [{"ContainerPort": 8080, "Protocol": "tcp", "Name": "api"}]
    assert "AWS::ServiceDiscovery::Service" not in _types(api)
    assert "ServiceRegistries" not in _resource(api, "Service")


def test_the_proxy_logs_into_the_service_log_group() -> None:
    config = _resource(_compile()["service-worker"], "Service")["ServiceConnectConfiguration"]
    options = config["LogConfiguration"]["Options"]
    assert config["LogConfiguration"]["LogDriver"] == "awslogs"
    assert options["awslogs-group"] == {"Ref": "LogGroup"}
    assert options["awslogs-stream-prefix"] == "service-connect"


def test_every_service_is_a_client_wearing_the_clients_group() -> None:
    stack_set = _compile()
    for name in ("api", "web", "worker"):
        service = _resource(stack_set[f"service-{name}"], "Service")
        assert service["ServiceConnectConfiguration"]["Enabled"] is True
        groups = service["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"]
        assert groups == [{"Ref": "SecurityGroup"}, {"Ref": "ServiceConnectClientsSecurityGroupId"}]
    assert "Services" not in _resource(stack_set["service-worker"], "Service")["ServiceConnectConfiguration"]


def test_a_published_port_admits_the_clients_group_only_not_the_vpc() -> None:
    stack_set = _compile()
    ingress = _resource(stack_set["service-api"], "SecurityGroup")["SecurityGroupIngress"]
    assert ingress == [
        {
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "SourceSecurityGroupId": {"Ref": "ServiceConnectClientsSecurityGroupId"},
            "Description": "Service Connect clients to api on 8080",
        }
    ]
    assert "VpcCidr" not in stack_set["service-api"]["Parameters"]
    assert "SecurityGroupIngress" not in _resource(stack_set["service-worker"], "SecurityGroup")


def test_an_http_publisher_declares_its_app_protocol() -> None:
    text = APP.replace("MODE", "service_connect").replace(
        "http: {path: /}", "http: {path: /}, discovery: web"
    )
    web = compiler.compile(spec.loads(text, environ={}))["service-web"]
    mapping = _resource(web, "TaskDefinition")["ContainerDefinitions"][0]["PortMappings"][0]
    assert mapping == {"ContainerPort": 8000, "Protocol": "tcp", "Name": "web", "AppProtocol": "http"}


def test_clients_wait_for_the_publishers_stacks() -> None:
    root = _compile()["root"]["Resources"]
    assert root["ServiceWeb"].get("DependsOn") == ["ServiceApi"]
    assert root["ServiceWorker"].get("DependsOn") == ["ServiceApi"]
    assert "DependsOn" not in root["ServiceApi"]
    assert "DependsOn" not in _compile("dns")["root"]["Resources"]["ServiceWeb"]


def test_the_root_output_is_the_endpoint_clients_call() -> None:
    outputs = _compile()["root"]["Outputs"]
    assert outputs["ServiceApiDiscoveryName"]["Value"] == "api:8080"
    assert _compile("dns")["root"]["Outputs"]["ServiceApiDiscoveryName"]["Value"] == "api.shop.local"


def test_dns_mode_has_none_of_it() -> None:
    stack_set = _compile("dns")
    assert "ServiceConnectDefaults" not in _resource(stack_set["cluster"], "Cluster")
    assert "ServiceConnectClients" not in stack_set["cluster"]["Resources"]
    for name in ("api", "web", "worker"):
        assert "ServiceConnectConfiguration" not in _resource(stack_set[f"service-{name}"], "Service")
    assert "AWS::ServiceDiscovery::Service" in _types(stack_set["service-api"])


def test_cost_counts_the_instances_ecs_registers_for_publishers_only() -> None:
    estimate = cost.estimate(_compile(), "us-east-1")
    cloud_map = [line.item for line in estimate.lines if "Cloud Map instances" in line.item]
    assert cloud_map == ["service api: Cloud Map instances"]
    assert any("Service Connect has no charge of its own" in note for note in estimate.notes)
    assert not any("Service Connect" in note for note in cost.estimate(_compile("dns"), "us-east-1").notes)


def test_the_diagram_draws_service_connect_names_between_services() -> None:
    text = diagram.to_mermaid(diagram.build(_compile()), "shop")
    assert 'svc_web -->|"api:8080"| svc_api' in text
    assert 'svc_worker -->|"api:8080"| svc_api' in text
    assert "Service Connect api:8080" in text
    assert "cloudmap" not in text and "api.shop.local" not in text
    dns = diagram.to_mermaid(diagram.build(_compile("dns")), "shop")
    assert "api.shop.local" in dns and "api:8080" not in dns
