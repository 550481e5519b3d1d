"""ECS Service Connect (``discovery.mode: service_connect``): what it adds to the cluster and
to each service part.

Every service of the application joins the namespace as a client, so its tasks reach any
published name as ``http://<name>:<port>``; a service with ``discovery: <name>`` also
publishes its container port under that name. ECS itself creates the Cloud Map services and
registers the tasks, so this mode has no ``AWS::ServiceDiscovery::Service`` of its own.

The namespace is the cluster's existing private DNS namespace. The ECS API reference
(ServiceConnectConfiguration, ``namespace``) says "the type of namespace doesn't affect
Service Connect", and keeping it means switching ``discovery.mode`` either way never
replaces the namespace (nor the ``NamespaceId`` / ``NamespaceName`` outputs); an HTTP
namespace would gain nothing but a second kind of namespace to manage. It is referred to by
ARN, never by name: given a name it cannot find, ECS creates a new namespace of that name
(aws-cdk#25616), which would split the application in two.

Network: on Fargate the Service Connect proxy of a publishing task listens on the container
port (ServiceConnectService, ``ingressPortOverride``: "In awsvpc mode and Fargate, the default
value is the container port number") and client proxies connect to it there. So every task
wears one more security group, the application's Service Connect clients group (defined in
the cluster part, no ingress of its own), and a publishing service admits its port from that
group only: least privilege, where DNS mode opens the port to the whole VPC.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from fgc.compiler import defaults
from troposphere import GetAtt, Output, Ref, Template, ec2, ecs

if TYPE_CHECKING:
    from fgc.spec.models import Service, Spec

#: The cluster part's security group every task of the application wears in this mode.
CLIENTS_GROUP = "ServiceConnectClients"
#: Cluster outputs (and service parameters) this mode adds.
NAMESPACE_ARN = "NamespaceArn"
CLIENTS_GROUP_ID = "ServiceConnectClientsSecurityGroupId"
#: Log stream prefix of the proxy's logs, in the service's own log group.
PROXY_LOG_PREFIX = "service-connect"


def enabled(spec: Spec) -> bool:
    """Whether the application uses Service Connect rather than Cloud Map DNS records."""
    return spec.discovery.mode == "service_connect"


def add_to_cluster(t: Template, cluster: ecs.Cluster, namespace_arn: GetAtt, vpc_id: Ref, app: str) -> None:
    """The cluster's Service Connect default namespace, the clients security group, and the
    outputs the service parts take them from."""
    cluster.ServiceConnectDefaults = ecs.ServiceConnectDefaults(Namespace=namespace_arn)
    group = t.add_resource(
        ec2.SecurityGroup(
            CLIENTS_GROUP,
            GroupDescription=f"Service Connect clients of {app}: publishing services admit this group",
            VpcId=vpc_id,
            SecurityGroupEgress=[
                ec2.SecurityGroupRule(
                    IpProtocol="-1", CidrIp="0.0.0.0/0", Description=defaults.EGRESS_DESCRIPTION
                )
            ],
        )
    )
    t.add_output(
        [
            Output(NAMESPACE_ARN, Description="The Cloud Map namespace's ARN", Value=namespace_arn),
            Output(
                CLIENTS_GROUP_ID,
                Description="Security group of every task: the Service Connect clients",
                Value=GetAtt(group, "GroupId"),
            ),
        ]
    )


def declare_parameters(from_cluster: Callable[[str, str, str], None]) -> None:
    """The cluster outputs every service part takes in this mode (each service is a client)."""
    from_cluster(NAMESPACE_ARN, "String", "Cloud Map namespace of Service Connect")
    from_cluster(
        CLIENTS_GROUP_ID, "AWS::EC2::SecurityGroup::Id", "Security group of the Service Connect clients"
    )


def port_mapping(spec: Spec, service: Service) -> dict[str, str] | None:
    """What Service Connect adds to the main container's port mapping: its name (the published
    name, which ``PortName`` refers to) and, for a service the load balancer routes HTTP to,
    ``AppProtocol: http`` (the proxy then reports HTTP metrics; without it, it passes TCP through).

    Only that one port is named, so port names are unique in the task definition by
    construction, as ECS requires."""
    if not enabled(spec) or service.discovery is None or service.port is None:
        return None
    mapping = {"Name": service.discovery}
    if service.http is not None:
        mapping["AppProtocol"] = "http"
    return mapping


def configuration(
    service: Service, log_configuration: ecs.LogConfiguration
) -> ecs.ServiceConnectConfiguration:
    """The service's ServiceConnectConfiguration: always a client; with ``discovery`` also a
    server, its port published as ``<discovery>:<port>`` (discovery name and client alias)."""
    props: dict = {
        "Enabled": True,
        "Namespace": Ref(NAMESPACE_ARN),
        "LogConfiguration": log_configuration,
    }
    if service.discovery is not None and service.port is not None:
        props["Services"] = [
            ecs.ServiceConnectService(
                PortName=service.discovery,
                DiscoveryName=service.discovery,
                ClientAliases=[ecs.ServiceConnectClientAlias(DnsName=service.discovery, Port=service.port)],
            )
        ]
    return ecs.ServiceConnectConfiguration(**props)


def publishers_first(spec: Spec, name: str, after: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """The publishing services a client-only service's stack must wait for.

    ECS: "Only new tasks with a Service Connect configuration in the same namespace and that
    start running after this deployment can resolve and connect to this endpoint" (Developer
    Guide, Service Connect components). On a first deploy, nested stacks run in parallel, so a
    client's tasks could start before the endpoints exist and never see them. ``after`` holds
    the stack ordering already required (listener rule priorities); a publisher that must itself
    wait for this client (through the rule ordering) is left out rather than make a cycle.
    Publishers calling each other cannot all be ordered; their tasks see each other from the
    next deployment on (docs/fargate-yaml.md says so).
    """
    if not enabled(spec) or spec.services[name].discovery is not None:
        return ()

    def waits_for(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for other in after.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    return tuple(
        other
        for other, service in spec.services.items()
        if service.discovery is not None and other not in after.get(name, ()) and name not in waits_for(other)
    )


def endpoint(service: Service) -> str:
    """What the other services call: ``<name>:<port>``."""
    return f"{service.discovery}:{service.port}"
