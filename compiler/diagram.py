"""``fgc diagram``: the architecture the stack set deploys, drawn as the guide draws it.

internet -> Route 53 -> load balancer (listeners, certificate) -> each service (tasks,
count or scaling range, port, Spot share) in the private subnets of every zone, their
way out (NAT gateways or VPC endpoints), Cloud Map names, the secrets each service
reads, its registry and its log group. Everything is read from the compiled templates.

:func:`build` makes a small graph (:class:`Graph`); :func:`to_dot` and
:func:`to_mermaid` write it as Graphviz or Mermaid text. Same stack set, same bytes:
nodes, clusters and edges keep the stack set's order. Pure: rendering the dot text to
SVG or PNG is the CLI's job (it runs Graphviz).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fgc.compiler.cost import capacity_strategy, on_spot, task_range
from fgc.compiler.reading import endpoint_name, named, resource, resources, service_connect_endpoints
from fgc.compiler.stackset import Part, PartOutput, SpecValue, StackOutput, StackSet


@dataclass
class Node:
    id: str
    lines: list[str]
    shape: str = "box"  # box | ellipse | cylinder | note


@dataclass
class Cluster:
    id: str
    label: str
    members: list[Node | Cluster] = field(default_factory=list)


@dataclass(frozen=True)
class Edge:
    """From ``tail`` to ``head`` (node or cluster ids); ``dashed`` for lookups rather than traffic."""

    tail: str
    head: str
    label: str = ""
    dashed: bool = False


@dataclass
class Graph:
    top: list[Node | Cluster] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)

    def clusters(self) -> dict[str, Cluster]:
        found: dict[str, Cluster] = {}

        def walk(members: list[Node | Cluster]) -> None:
            for member in members:
                if isinstance(member, Cluster):
                    found[member.id] = member
                    walk(member.members)

        walk(self.top)
        return found


def build(stack_set: StackSet, registries: StackSet | None = None) -> Graph:
    """The architecture graph of ``stack_set``; ``registries`` (``compiler.compile_registries``)
    names the repositories the services' images come from."""
    graph = Graph()
    cluster_part = _part_with(stack_set, "AWS::ECS::Cluster")
    lb = resource(cluster_part, "AWS::ElasticLoadBalancingV2::LoadBalancer") if cluster_part else None
    services = [part for part in stack_set.nested if part.service is not None]

    zones = _zones(stack_set, services)
    if lb is not None and lb.get("Scheme", "internet-facing") == "internet-facing":
        graph.top.append(Node("internet", ["internet"], "ellipse"))
    if lb is not None and cluster_part is not None:
        scheme = lb.get("Scheme", "internet-facing")
        listeners = [
            _listener_text(props)
            for props in resources(cluster_part, "AWS::ElasticLoadBalancingV2::Listener")
        ]
        graph.top.append(Node("lb", [f"load balancer ({scheme})", *listeners]))
        if scheme == "internet-facing":
            records = resources(cluster_part, "AWS::Route53::RecordSet")
            if records:
                names = sorted({str(r.get("Name", "")).rstrip(".") for r in records})
                graph.top.insert(1, Node("route53", ["Route 53", *names]))  # after internet
                graph.edges += [Edge("internet", "route53", "DNS"), Edge("route53", "lb")]
            else:
                graph.edges.append(Edge("internet", "lb"))

    vpc = Cluster("vpc", _vpc_label(stack_set))
    graph.top.append(vpc)
    zone_clusters = []
    for index, (private, public, nat) in enumerate(zones, start=1):
        zone = Cluster(f"az{index}", f"AZ {index}")
        zone.members.append(Node(f"az{index}_private", [f"private subnet {private}"]))
        if public:
            zone.members.append(Node(f"az{index}_public", [f"public subnet {public}"]))
        if nat:
            zone.members.append(Node(f"az{index}_nat", ["NAT gateway", "to the internet"]))
        zone_clusters.append(zone)
    zone_names = ", ".join(c.label for c in zone_clusters) or "the given subnets"
    tasks = Cluster("services", f"services: tasks in the private subnets of {zone_names}")
    vpc.members.append(tasks)
    vpc.members += zone_clusters

    endpoints = _endpoints(stack_set)
    if endpoints:
        vpc.members.append(Node("endpoints", endpoints))
        graph.edges.append(Edge("services", "endpoints", "AWS APIs"))
    for zone in zone_clusters:
        if any(isinstance(m, Node) and m.id.endswith("_nat") for m in zone.members):
            graph.edges.append(Edge("services", f"{zone.id}_nat", "egress"))

    namespace = _namespace(cluster_part)
    shared: dict[str, Node] = {}
    graph.edges += _service_connect_edges(services)
    for part in services:
        sid = _service_id(part)
        tasks.members.append(Node(sid, _service_lines(stack_set, part, namespace)))
        rule = resource(part, "AWS::ElasticLoadBalancingV2::ListenerRule")
        if rule is not None and lb is not None:
            graph.edges.append(Edge("lb", sid))
        discovery = resource(part, "AWS::ServiceDiscovery::Service")
        if discovery is not None and namespace:
            _shared(shared, "cloudmap", ["Cloud Map", namespace], "ellipse")
            graph.edges.append(Edge(sid, "cloudmap", f"{discovery['Name']}.{namespace}", dashed=True))
        for secret, names in _secrets(part).items():
            node = _shared(shared, _slug(secret), [secret], "note")
            graph.edges.append(Edge(sid, node.id, ", ".join(names), dashed=True))
        for image in _images(stack_set, part, registries):
            node = _shared(shared, _slug(image), [image], "cylinder")
            graph.edges.append(Edge(sid, node.id, dashed=True))  # a cylinder: the image it pulls
    graph.top += list(shared.values())
    return graph


def _service_connect_edges(services: list[Part]) -> list[Edge]:
    """Service Connect: an edge from each client service (every service with a Service Connect
    configuration) to each endpoint another service publishes, labelled with what they call."""
    ecs_services = [(part, resource(part, "AWS::ECS::Service") or {}) for part in services]
    clients = [part for part, props in ecs_services if "ServiceConnectConfiguration" in props]
    edges = []
    for publisher in services:
        for endpoint in service_connect_endpoints(publisher):
            for client in clients:
                if client is not publisher:
                    edges.append(Edge(_service_id(client), _service_id(publisher), endpoint))
    return edges


def _service_id(part: Part) -> str:
    return f"svc_{_slug(part.service or part.name)}"


def _shared(nodes: dict[str, Node], id_: str, lines: list[str], shape: str) -> Node:
    return nodes.setdefault(id_, Node(id_, lines, shape))


def _service_lines(stack_set: StackSet, part: Part, namespace: str | None) -> list[str]:
    service = resource(part, "AWS::ECS::Service") or {}
    task = resource(part, "AWS::ECS::TaskDefinition") or {}
    low, high = task_range(part)
    scaling = " (scaling)" if resource(part, "AWS::ApplicationAutoScaling::ScalableTarget") else ""
    count = f"{low}" if low == high else f"{low}..{high}"
    arch = "ARM64" if task.get("RuntimePlatform", {}).get("CpuArchitecture") == "ARM64" else "x86_64"
    size = f"{int(task.get('Cpu', 256)) / 1024:g} vCPU, {int(task.get('Memory', 512)) / 1024:g} GB, {arch}"
    lines = [f"service {part.service}", f"tasks: {count}{scaling}, {size}"]
    rule = resource(part, "AWS::ElasticLoadBalancingV2::ListenerRule")
    if rule is not None:  # on the node, not the edge: ten services' edge labels would pile up at the LB
        lines.insert(1, f"route: {_rule_text(rule)}")
    ports = [
        str(m["ContainerPort"])
        for c in task.get("ContainerDefinitions", [])
        for m in c.get("PortMappings", [])
    ]
    if ports:
        lines.append(f"port {', '.join(ports)}")
    strategy = capacity_strategy(stack_set, service)
    spot = sorted({round(100 * on_spot(n, strategy) / n) for n in (low, high) if n})
    if any(spot):
        lines.append("Spot " + "..".join(f"{s}%" for s in spot))
    discovery = resource(part, "AWS::ServiceDiscovery::Service")
    if discovery is not None and namespace:
        lines.append(f"{discovery['Name']}.{namespace}")
    lines += [f"Service Connect {endpoint}" for endpoint in service_connect_endpoints(part)]
    log = resource(part, "AWS::Logs::LogGroup")
    if log is not None:
        days = log.get("RetentionInDays")
        lines.append(f"log group, {days} days" if days else "log group, never expires")
    return lines


def _listener_text(listener: dict[str, Any]) -> str:
    text = f"{listener.get('Protocol', 'HTTP')} :{listener.get('Port')}"
    if listener.get("Certificates"):
        text += " (certificate)"
    for action in listener.get("DefaultActions", []):
        if action.get("Type") == "redirect":
            text += f" -> {action['RedirectConfig'].get('Protocol', '')}"
    return text


def _rule_text(rule: dict[str, Any]) -> str:
    values = []
    for condition in rule.get("Conditions", []):
        config = condition.get("PathPatternConfig") or condition.get("HostHeaderConfig") or {}
        values += [str(v) for v in config.get("Values", [])]
    return " ".join(values)


def _zones(stack_set: StackSet, services: list[Part]) -> list[tuple[str, str, bool]]:
    """(private subnet, public subnet, has a NAT gateway) per zone, in zone order."""
    network = stack_set.part("network") if "network" in stack_set else None
    if network is None:
        if not services:
            return []
        source = services[0].parameters.get("PrivateSubnetIds")
        ids = source.value.split(",") if isinstance(source, SpecValue) else []
        return [(subnet, "", False) for subnet in ids]
    subnets = {lid: props for lid, props in named(network, "AWS::EC2::Subnet")}
    nat_subnets = {props["SubnetId"].get("Ref") for props in resources(network, "AWS::EC2::NatGateway")}
    zones = []
    index = 1
    while f"PrivateSubnet{index}" in subnets:
        public = f"PublicSubnet{index}"
        zones.append(
            (
                str(subnets[f"PrivateSubnet{index}"].get("CidrBlock", "")),
                str(subnets.get(public, {}).get("CidrBlock", "")),
                public in nat_subnets,
            )
        )
        index += 1
    return zones


def _vpc_label(stack_set: StackSet) -> str:
    if "network" in stack_set:
        vpc = resource(stack_set.part("network"), "AWS::EC2::VPC") or {}
        return f"VPC {vpc.get('CidrBlock', '')}".rstrip()
    cluster = _part_with(stack_set, "AWS::ECS::Cluster")
    source = cluster.parameters.get("VpcId") if cluster else None
    return f"VPC {source.value} (existing)" if isinstance(source, SpecValue) else "VPC (existing)"


def _endpoints(stack_set: StackSet) -> list[str]:
    if "network" not in stack_set:
        return []
    found = resources(stack_set.part("network"), "AWS::EC2::VPCEndpoint")
    interface = [endpoint_name(e) for e in found if e.get("VpcEndpointType") == "Interface"]
    gateway = [endpoint_name(e) for e in found if e.get("VpcEndpointType") != "Interface"]
    lines = ["VPC endpoints"]
    if interface:
        lines.append("interface, in every AZ: " + ", ".join(interface))
    if gateway:
        lines.append("gateway: " + ", ".join(gateway))
    return lines if len(lines) > 1 else []


def _namespace(cluster: Part | None) -> str | None:
    namespace = resource(cluster, "AWS::ServiceDiscovery::PrivateDnsNamespace") if cluster else None
    return str(namespace["Name"]) if namespace else None


def _secrets(part: Part) -> dict[str, list[str]]:
    """Secret (Secrets Manager name or SSM parameter) -> the variables a service reads from it."""
    found: dict[str, list[str]] = {}
    task = resource(part, "AWS::ECS::TaskDefinition") or {}
    for container in task.get("ContainerDefinitions", []):
        for secret in container.get("Secrets", []):
            value = secret.get("ValueFrom")
            text = value.get("Fn::Sub", "") if isinstance(value, dict) else str(value)
            match = re.search(r":secret:([^:]+)", text) or re.search(r":parameter/?(.+)$", text)
            name = ("secret " if ":secret:" in text else "parameter ") + match.group(1) if match else "secret"
            found.setdefault(name, []).append(secret["Name"])
    return found


def _images(stack_set: StackSet, part: Part, registries: StackSet | None = None) -> list[str]:
    """The registry (ECR repository) or public image each container of a service runs."""
    task = resource(part, "AWS::ECS::TaskDefinition") or {}
    images = []
    for container in task.get("ContainerDefinitions", []):
        image = container.get("Image")
        text = image.get("Fn::Sub", "") if isinstance(image, dict) else str(image)
        match = re.match(r"\$\{(\w+)\}", text)
        if match:
            images.append(f"ECR {_repository(stack_set, part.parameters.get(match.group(1)), registries)}")
        else:  # a public image; its tag (often a parameter) is not part of the picture
            images.append("image " + re.sub(r"[:@](\$\{\w+\}|[^/:@]+)$", "", text.split("@")[0]))
    return list(dict.fromkeys(images))


def _repository(stack_set: StackSet, source: Any, registries: StackSet | None = None) -> str:
    template = None
    if isinstance(source, PartOutput) and source.part in stack_set:
        template = stack_set[source.part]
    elif isinstance(source, StackOutput) and registries is not None and source.stack == registries.stack_name:
        template = registries["root"]
    if template is not None:
        value = template.get("Outputs", {}).get(source.output, {}).get("Value", {})
        logical = value.get("Fn::GetAtt", [None])[0] if isinstance(value, dict) else None
        repo = template["Resources"].get(logical, {}).get("Properties", {})
        return str(repo.get("RepositoryName", logical))
    if isinstance(source, SpecValue):
        return source.value
    return "repository"


def _part_with(stack_set: StackSet, kind: str) -> Part | None:
    return next((part for part in stack_set.nested if resources(part, kind)), None)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


# -- writers ---------------------------------------------------------------------------------------


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(graph: Graph, title: str) -> str:
    """Graphviz text, left to right; edges to a cluster end at its border (``compound``)."""
    clusters = graph.clusters()
    out = [
        f"digraph {_dot_quote(title)} {{",
        "  rankdir=LR; compound=true; newrank=true;",
        f"  label={_dot_quote(title)}; labelloc=t; fontname=Helvetica;",
        '  node [shape=box, style="rounded", fontname=Helvetica, fontsize=10];',
        "  edge [fontname=Helvetica, fontsize=9];",
    ]

    def write(members: list[Node | Cluster], indent: str) -> None:
        for member in members:
            if isinstance(member, Node):
                label = "\\n".join(line.replace("\\", "\\\\").replace('"', '\\"') for line in member.lines)
                out.append(f'{indent}{member.id} [label="{label}", shape={member.shape}];')
            else:
                out.append(f"{indent}subgraph cluster_{member.id} {{")
                out.append(f"{indent}  label={_dot_quote(member.label)}; style=rounded;")
                if not member.members:
                    out.append(f'{indent}  {member.id}_empty [label="", shape=point, style=invis];')
                write(member.members, indent + "  ")
                out.append(f"{indent}}}")

    write(graph.top, "  ")
    for edge in graph.edges:
        attrs = []
        tail, head = edge.tail, edge.head
        if tail in clusters:
            attrs.append(f"ltail=cluster_{tail}")
            tail = _anchor(clusters[tail])
        if head in clusters:
            attrs.append(f"lhead=cluster_{head}")
            head = _anchor(clusters[head])
        if edge.label:
            attrs.append(f"label={_dot_quote(edge.label)}")
        if edge.dashed:
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {tail} -> {head}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"


def _anchor(cluster: Cluster) -> str:
    """A node inside ``cluster`` for an edge that should end at the cluster's border."""
    for member in cluster.members:
        if isinstance(member, Node):
            return member.id
        inner = _anchor(member)
        if inner:
            return inner
    return f"{cluster.id}_empty"


def _mermaid_text(lines: list[str]) -> str:
    return "<br/>".join(line.replace('"', "#quot;") for line in lines)


def to_mermaid(graph: Graph, title: str) -> str:
    """Mermaid flowchart text (for README files and pull requests)."""
    out = ["---", f"title: {title}", "---", "flowchart LR"]
    shapes = {
        "box": ('["', '"]'),
        "ellipse": ('(["', '"])'),
        "cylinder": ('[("', '")]'),
        "note": ('>"', '"]'),
    }

    def write(members: list[Node | Cluster], indent: str) -> None:
        for member in members:
            if isinstance(member, Node):
                left, right = shapes[member.shape]
                out.append(f"{indent}{member.id}{left}{_mermaid_text(member.lines)}{right}")
            else:
                out.append(f'{indent}subgraph {member.id}["{_mermaid_text([member.label])}"]')
                write(member.members, indent + "  ")
                out.append(f"{indent}end")

    write(graph.top, "  ")
    for edge in graph.edges:
        arrow = "-.->" if edge.dashed else "-->"
        label = f'|"{_mermaid_text([edge.label])}"|' if edge.label else ""
        out.append(f"  {edge.tail} {arrow}{label} {edge.head}")
    return "\n".join(out) + "\n"
