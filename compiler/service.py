"""The ``service-<name>`` stack: everything one ECS service owns.

Log group, execution and task roles, task definition, security group, target group and
listener rule (when ``http``), the ECS service, its scaling and its Cloud Map entry (with
``discovery.mode: service_connect``, its Service Connect configuration instead: see
:mod:`compiler.service_connect`); what a traffic-shifting strategy adds is in
``compiler.rollout``, the deployment alarms in ``compiler.alarms``.
Shared things (VPC, cluster, namespace, load balancer, repositories) come in as
parameters; only the parameters this service uses are declared, each with its source.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fgc.compiler import (
    alarms,
    cluster,
    containers,
    defaults,
    iam,
    images,
    network,
    priorities,
    rollout,
    root,
    scaling,
    service_connect,
)
from fgc.compiler.checkov_skips import checkov_metadata
from fgc.compiler.draft import Draft
from fgc.compiler.naming import service_template
from fgc.compiler.stackset import PartOutput, StackOutput
from fgc.compiler.traffic import ALTERNATE_TARGET_GROUP, LISTENER_RULE, TARGET_GROUP
from fgc.spec.models import Capacity, Http, Service, Spec
from troposphere import GetAtt, Output, Ref, Template, ec2, ecs, logs
from troposphere import elasticloadbalancingv2 as elb
from troposphere import servicediscovery as sd

LOG_GROUP = "LogGroup"
SERVICE = "Service"
DISCOVERY = "DiscoveryService"


def _declare_parameters(draft: Draft, spec: Spec, name: str, service: Service) -> None:
    """The parameters this service uses, each with where the root takes it from."""
    vpc = network.values(spec)

    def from_cluster(parameter: str, kind: str, description: str) -> None:
        draft.parameter(parameter, PartOutput(cluster.NAME, parameter), kind, description)

    draft.parameter("VpcId", vpc.get("VpcId"), "AWS::EC2::VPC::Id", "VPC of the tasks")
    draft.parameter(
        "PrivateSubnetIds",
        vpc.get("PrivateSubnetIds"),
        "List<AWS::EC2::Subnet::Id>",
        "Subnets of the tasks (private, no public IP)",
    )
    from_cluster("ClusterName", "String", "ECS cluster of the application")
    draft.parameter(
        images.TAG_PARAMETER,
        root.tag_source(spec, name),
        "String",
        "Tag (or digest) of the main container's image",
    )
    if service_connect.enabled(spec):
        service_connect.declare_parameters(from_cluster)
    elif service.discovery is not None:
        from_cluster("NamespaceId", "String", "Cloud Map namespace for service discovery")
        if service.port is not None:
            draft.parameter(
                "VpcCidr", vpc.get("VpcCidr"), "String", "CIDR of the VPC: discovery callers connect from it"
            )
    if service.http is not None:
        from_cluster("ListenerArn", "String", "Load balancer listener the service's rule attaches to")
        from_cluster(
            "LoadBalancerSecurityGroupId",
            "AWS::EC2::SecurityGroup::Id",
            "Security group of the load balancer",
        )
        if service.scaling is not None and service.scaling.requests:
            from_cluster("LoadBalancerFullName", "String", "Load balancer full name (request-count scaling)")
        elif alarms.needs_load_balancer_name(service.deployment):
            from_cluster("LoadBalancerFullName", "String", "Load balancer full name (deployment alarms)")
        if service.deployment.shifts_traffic:
            rollout.declare_parameters(draft, spec, name, service.deployment)
    used = (r for part in containers.parts(service) for r in images.parse(part.image).registry_names)
    for registry in dict.fromkeys(used):
        for what in ("Uri", "Arn"):
            parameter = images.registry_parameter(registry, what)
            draft.parameter(
                parameter,
                StackOutput(spec.registries_stack_name, parameter),
                "String",
                "An ECR repository of the registries stack",
            )


def log_group_name(spec: Spec, service: str) -> str:
    """``/ecs/<stack>/<service>``: fixed by the spec, so a retained log group is adopted by the next
    deploy and found by ``fgc destroy --purge`` after its stack is gone."""
    return f"/ecs/{spec.stack_name}/{service}"


def build(spec: Spec, name: str, priority: int | None, after: Sequence[str] = ()) -> Draft:
    """The service part of ``spec.services[name]``; ``priority`` of its listener rule when routed,
    ``after`` the services whose stacks must be updated first (see ``priorities.assign``)."""
    service = spec.services[name]
    family = f"{spec.stack_name}-{name}"
    t = Template(Description=f"fgc {spec.stack_name}: service {name}")
    draft = Draft(
        service_template(name),
        t,
        depends_on=tuple(service_template(other) for other in after),
        service=name,
    )
    _declare_parameters(draft, spec, name, service)

    t.add_resource(
        logs.LogGroup(
            LOG_GROUP,
            LogGroupName=log_group_name(spec, name),
            RetentionInDays=service.logs.retention,
            Metadata=checkov_metadata(
                {
                    "CKV_AWS_158": "CloudWatch Logs encrypts log data at rest by default; a customer "
                    "KMS key needs a key policy for the logs service that fgc does not manage",
                }
            ),
            DeletionPolicy="Retain",
            UpdateReplacePolicy="Retain",
        )
    )
    execution_role = t.add_resource(iam.execution_role(service, LOG_GROUP))
    task_role = iam.task_role(service)
    if task_role is not None:
        t.add_resource(task_role)

    task = {
        "Family": family,
        "Cpu": str(service.cpu),
        "Memory": str(service.memory),
        "NetworkMode": "awsvpc",
        "RequiresCompatibilities": ["FARGATE"],
        "RuntimePlatform": ecs.RuntimePlatform(
            CpuArchitecture="ARM64" if service.platform == "linux/arm64" else "X86_64",
            OperatingSystemFamily="LINUX",
        ),
        "ExecutionRoleArn": GetAtt(execution_role, "Arn"),
        "ContainerDefinitions": containers.definitions(
            name, service, LOG_GROUP, service_connect.port_mapping(spec, service)
        ),
    }
    if task_role is not None:
        task["TaskRoleArn"] = GetAtt(task_role, "Arn")
    if service.readonly_root:
        task["Volumes"] = [ecs.Volume(Name=v) for v in containers.writable_paths(service.exec)]
    task_definition = t.add_resource(ecs.TaskDefinition("TaskDefinition", **task))

    connect = service_connect.enabled(spec)
    security_group = t.add_resource(_security_group(name, service, connect))
    security_groups = [Ref(security_group)]
    if connect:
        security_groups.append(Ref(service_connect.CLIENTS_GROUP_ID))
    deployment_alarms = alarms.add(t, name, service.deployment, _target_groups(service))
    props: dict = {
        "Cluster": Ref("ClusterName"),
        "TaskDefinition": Ref(task_definition),
        "PlatformVersion": defaults.PLATFORM_VERSION,
        "NetworkConfiguration": ecs.NetworkConfiguration(
            AwsvpcConfiguration=ecs.AwsvpcConfiguration(
                Subnets=Ref("PrivateSubnetIds"),
                SecurityGroups=security_groups,
                AssignPublicIp="DISABLED",
            )
        ),
        "DeploymentConfiguration": rollout.configuration(service.deployment, deployment_alarms),
        "EnableExecuteCommand": service.exec,
        "EnableECSManagedTags": True,
        "PropagateTags": "SERVICE",
    }
    # With scaling the count belongs to Application Auto Scaling: a DesiredCount here
    # would reset it to the template's value on every deploy.
    if service.scaling is None:
        props["DesiredCount"] = service.count
    if service.capacity is None:
        props["LaunchType"] = "FARGATE"
    else:
        props["CapacityProviderStrategy"] = _capacity(service.capacity)
    depends_on = []
    if service.http is not None:
        _add_routing(t, spec, name, service, service.http, priority)
        entry = ecs.LoadBalancer(
            ContainerName=name, ContainerPort=service.port, TargetGroupArn=Ref(TARGET_GROUP)
        )
        if service.deployment.shifts_traffic:
            # its Refs to the listener rules already order the service after them
            entry.AdvancedConfiguration = rollout.advanced_configuration(service.deployment)
            props["DeploymentController"] = ecs.DeploymentController(Type="ECS")
        else:
            depends_on.append(LISTENER_RULE)
        props["LoadBalancers"] = [entry]
        props["HealthCheckGracePeriodSeconds"] = service.http.grace_period
    if connect:
        props["ServiceConnectConfiguration"] = service_connect.configuration(
            service, containers.log_configuration(LOG_GROUP, service_connect.PROXY_LOG_PREFIX)
        )
    elif service.discovery is not None:
        discovery = t.add_resource(
            sd.Service(
                DISCOVERY,
                Name=service.discovery,
                Description=f"{name} of {spec.stack_name}",
                NamespaceId=Ref("NamespaceId"),
                DnsConfig=sd.DnsConfig(
                    DnsRecords=[sd.DnsRecord(Type="A", TTL=defaults.DISCOVERY_TTL)],
                    RoutingPolicy="MULTIVALUE",
                ),
                HealthCheckCustomConfig=sd.HealthCheckCustomConfig(
                    FailureThreshold=defaults.DISCOVERY_FAILURE_THRESHOLD
                ),
            )
        )
        props["ServiceRegistries"] = [ecs.ServiceRegistry(RegistryArn=GetAtt(discovery, "Arn"))]
    ecs_service = ecs.Service(SERVICE, **props)
    if depends_on:
        ecs_service.DependsOn = depends_on
    t.add_resource(ecs_service)

    if service.scaling is not None:
        scaling.add(t, family, service.scaling, service=SERVICE, target_group=TARGET_GROUP)

    t.add_output(Output("ServiceName", Value=GetAtt(SERVICE, "Name"), Description="ECS service name"))
    t.add_output(Output("LogGroupName", Value=Ref(LOG_GROUP), Description="CloudWatch log group"))
    t.add_output(
        Output("TaskDefinitionArn", Value=Ref(task_definition), Description="Current task definition")
    )
    if service.http is not None:
        t.add_output(
            Output("TargetGroupArn", Value=Ref(TARGET_GROUP), Description="Load balancer target group")
        )
    return draft


def _capacity(capacity: Capacity) -> list[ecs.CapacityProviderStrategyItem]:
    items = []
    if capacity.on_demand or capacity.on_demand_base:
        items.append(
            ecs.CapacityProviderStrategyItem(
                CapacityProvider="FARGATE", Base=capacity.on_demand_base, Weight=capacity.on_demand
            )
        )
    if capacity.spot:
        items.append(ecs.CapacityProviderStrategyItem(CapacityProvider="FARGATE_SPOT", Weight=capacity.spot))
    return items


def _security_group(name: str, service: Service, connect: bool) -> ec2.SecurityGroup:
    """Ingress only on the container port: from the load balancer, and for discovery from the
    VPC (DNS mode) or from the application's Service Connect clients (``connect``)."""
    ingress = []
    if service.port is not None and service.http is not None:
        ingress.append(
            _port_ingress(
                service.port,
                f"Load balancer to {name}",
                SourceSecurityGroupId=Ref("LoadBalancerSecurityGroupId"),
            )
        )
    if service.port is not None and service.discovery is not None and connect:
        ingress.append(
            _port_ingress(
                service.port,
                f"Service Connect clients to {name}",
                SourceSecurityGroupId=Ref(service_connect.CLIENTS_GROUP_ID),
            )
        )
    elif service.port is not None and service.discovery is not None:
        ingress.append(
            _port_ingress(service.port, f"Discovery callers in the VPC to {name}", CidrIp=Ref("VpcCidr"))
        )
    props: dict = {
        "GroupDescription": f"Tasks of service {name}",
        "VpcId": Ref("VpcId"),
        "SecurityGroupEgress": [
            ec2.SecurityGroupRule(
                IpProtocol="-1", CidrIp="0.0.0.0/0", Description=defaults.EGRESS_DESCRIPTION
            )
        ],
    }
    if ingress:
        props["SecurityGroupIngress"] = ingress
    return ec2.SecurityGroup("SecurityGroup", **props)


def _port_ingress(port: int, who: str, **source: Any) -> ec2.SecurityGroupRule:
    """TCP on the container port from one `source` (a security group or a CIDR)."""
    return ec2.SecurityGroupRule(
        IpProtocol="tcp", FromPort=port, ToPort=port, **source, Description=f"{who} on {port}"
    )


def _target_groups(service: Service) -> list[str]:
    """Logical ids of the service's target groups: none without ``http``, two when ECS shifts traffic."""
    if service.http is None:
        return []
    return [TARGET_GROUP, ALTERNATE_TARGET_GROUP] if service.deployment.shifts_traffic else [TARGET_GROUP]


def _add_routing(
    t: Template, spec: Spec, name: str, service: Service, http: Http, priority: int | None
) -> None:
    """The target group(s), the listener rule and, for a traffic-shifting strategy, what ECS needs
    to shift (``compiler.rollout``)."""
    for title in _target_groups(service):
        t.add_resource(_target_group(title, service, http))
    conditions = _conditions(http)
    t.add_resource(
        elb.ListenerRule(
            LISTENER_RULE,
            ListenerArn=Ref("ListenerArn"),
            Priority=priority,
            Conditions=conditions,
            Actions=rollout.forward(service.deployment),
        )
    )
    if service.deployment.shifts_traffic:
        rollout.add(t, spec, name, service.deployment, conditions)


def _target_group(title: str, service: Service, http: Http) -> elb.TargetGroup:
    """A target group of the service's tasks (ECS registers them): health check and draining per ``http``."""
    check = http.health_check
    return elb.TargetGroup(
        title,
        TargetType="ip",
        Protocol="HTTP",
        Port=service.port,
        VpcId=Ref("VpcId"),
        HealthCheckEnabled=True,
        HealthCheckPath=check.path,
        Matcher=elb.Matcher(HttpCode=check.matcher),
        HealthCheckIntervalSeconds=check.interval,
        HealthCheckTimeoutSeconds=check.timeout,
        HealthyThresholdCount=check.healthy_threshold,
        UnhealthyThresholdCount=check.unhealthy_threshold,
        TargetGroupAttributes=[
            elb.TargetGroupAttribute(
                Key="deregistration_delay.timeout_seconds", Value=str(http.deregistration_delay)
            )
        ],
    )


def _conditions(http: Http) -> list[elb.Condition]:
    """The rule's conditions: the service's host and path patterns (``/*`` when neither narrows)."""
    conditions = []
    if http.host:
        conditions.append(
            elb.Condition(Field="host-header", HostHeaderConfig=elb.HostHeaderConfig(Values=http.host))
        )
    paths = priorities.path_values(http.path)
    if paths and paths != ["/*"] or not conditions:
        conditions.append(
            elb.Condition(
                Field="path-pattern", PathPatternConfig=elb.PathPatternConfig(Values=paths or ["/*"])
            )
        )
    return conditions
