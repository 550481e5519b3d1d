"""ECS cluster, capacity providers, task definition and service, backed by moto's ECS backend.

moto's own models drop most of what a Fargate service is (network configuration, load
balancers, deployment configuration, roles, cpu); these set every property the compiler emits
on moto's backend objects, so ``describe_services`` / ``describe_task_definition`` read them back.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
import uuid
import zlib
from collections.abc import Callable
from typing import Any

from fgc.spec.units import FARGATE_SIZES, fargate_memory_options
from moto.core.common_models import CloudFormationModel
from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.ecs.models import ecs_backends
from moto.elbv2.models import elbv2_backends
from moto.servicediscovery.models import servicediscovery_backends

from . import rollouts, service_connect, tasks
from .base import Resource, ResourceError, as_bool, lower_first, tags_list
from .servicediscovery import register_task_instances


def _api_tags(props: dict[str, Any]) -> list[dict[str, str]]:
    return [{"key": t["Key"], "value": t["Value"]} for t in tags_list(props)]


def _backend(account_id: str, region_name: str) -> Any:
    return ecs_backends[account_id][region_name]


class EcsCluster(Resource, CloudFormationModel):
    TYPE = "AWS::ECS::Cluster"
    NAME_PROPERTY = "ClusterName"
    CREATE_ONLY = ("ClusterName",)
    ATTRIBUTES = {"Arn": "arn"}

    @property
    def arn(self) -> str:
        return _backend(self.account_id, self.region_name)._get_cluster(self.physical_id).arn

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> EcsCluster:
        _backend(account_id, region_name).create_cluster(
            name,
            tags=_api_tags(props),
            cluster_settings=lower_first(props.get("ClusterSettings")),
            configuration=lower_first(props.get("Configuration")),
            capacity_providers=props.get("CapacityProviders"),
            default_capacity_provider_strategy=lower_first(props.get("DefaultCapacityProviderStrategy")),
        )
        cluster = _backend(account_id, region_name)._get_cluster(name)
        cluster.service_connect_defaults = service_connect.cluster_defaults(
            props.get("ServiceConnectDefaults"), account_id, region_name
        )
        return cls(name, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        cluster = _backend(self.account_id, self.region_name)._get_cluster(self.physical_id)
        cluster.settings = lower_first(props.get("ClusterSettings")) or cluster.settings
        cluster.configuration = lower_first(props.get("Configuration"))
        cluster.tags = _api_tags(props)
        cluster.service_connect_defaults = service_connect.cluster_defaults(
            props.get("ServiceConnectDefaults"), self.account_id, self.region_name
        )
        if "CapacityProviders" in props:
            cluster.capacity_providers = props["CapacityProviders"]
        if "DefaultCapacityProviderStrategy" in props:
            cluster.default_capacity_provider_strategy = lower_first(props["DefaultCapacityProviderStrategy"])

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        if any(
            s.cluster_name == self.physical_id and s.status == "ACTIVE" for s in backend.services.values()
        ):
            raise ResourceError(
                "The Cluster cannot be deleted while Services are active. (ClusterContainsServicesException)"
            )
        cluster = backend.clusters.get(self.physical_id)
        if cluster is not None and cluster.status == "ACTIVE":
            # A deleted cluster is INACTIVE: still described (with its stopped tasks), no longer
            # listed, and its name can be reused at once (see `hide_inactive`).
            backend.delete_cluster(self.physical_id)


class EcsClusterCapacityProviderAssociations(Resource, CloudFormationModel):
    """Capacity providers and the default strategy of an existing cluster (Ref = cluster name)."""

    TYPE = "AWS::ECS::ClusterCapacityProviderAssociations"
    CREATE_ONLY = ("Cluster",)

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        cluster = props["Cluster"].split("/")[-1]
        return cls._configured(cluster, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        _backend(self.account_id, self.region_name).put_cluster_capacity_providers(
            self.physical_id,
            capacity_providers=list(props.get("CapacityProviders") or []),
            default_capacity_provider_strategy=lower_first(
                props.get("DefaultCapacityProviderStrategy") or []
            ),
        )

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        if self.physical_id in backend.clusters:
            backend.put_cluster_capacity_providers(self.physical_id, [], [])


class EcsTaskDefinition(Resource, CloudFormationModel):
    """Every property but Tags is create-only: a change registers a new revision of the same family
    and retires the old one. ``Family`` is deliberately not reported as the naming property: a
    family keeps its name across revisions, so replacing one is not a custom-name clash."""

    TYPE = "AWS::ECS::TaskDefinition"
    ATTRIBUTES = {"TaskDefinitionArn": "physical_id"}

    @classmethod
    def requires_replacement(cls, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return {k: v for k, v in old.items() if k != "Tags"} != {k: v for k, v in new.items() if k != "Tags"}

    def _update(self, props: dict[str, Any]) -> None:
        backend = _backend(self.account_id, self.region_name)
        family, revision = self.physical_id.split("/")[-1].split(":")
        backend.task_definitions[family][int(revision)].tags = _api_tags(props)

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        containers = props.get("ContainerDefinitions") or []
        if not containers:
            raise ResourceError("ContainerDefinitions: at least one container definition is required")
        if "FARGATE" in (props.get("RequiresCompatibilities") or []):
            _check_fargate_size(props.get("Cpu"), props.get("Memory"))
        task_def = _backend(account_id, region_name).register_task_definition(
            family=props.get("Family") or name,
            container_definitions=_with_host_ports(lower_first(containers), props.get("NetworkMode")),
            volumes=lower_first(props.get("Volumes")),
            network_mode=props.get("NetworkMode"),
            tags=_api_tags(props),
            placement_constraints=lower_first(props.get("PlacementConstraints")),
            requires_compatibilities=props.get("RequiresCompatibilities"),
            cpu=_str_or_none(props.get("Cpu")),
            memory=_str_or_none(props.get("Memory")),
            task_role_arn=props.get("TaskRoleArn"),
            execution_role_arn=props.get("ExecutionRoleArn"),
            runtime_platform=lower_first(props.get("RuntimePlatform")),
            pid_mode=props.get("PidMode"),
            ipc_mode=props.get("IpcMode"),
            ephemeral_storage=lower_first(props.get("EphemeralStorage")),
        )
        return cls(task_def.arn, props, account_id, region_name)

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        family, revision = self.physical_id.split("/")[-1].split(":")
        if int(revision) in backend.task_definitions.get(family, {}):
            backend.deregister_task_definition(self.physical_id)


def _with_host_ports(containers: list[dict[str, Any]], network_mode: str | None) -> list[dict[str, Any]]:
    """In awsvpc mode ECS fills each port mapping's hostPort with its containerPort."""
    if network_mode == "awsvpc":
        for container in containers:
            for mapping in container.get("portMappings") or []:
                mapping.setdefault("hostPort", mapping.get("containerPort"))
    return containers


def _check_fargate_size(cpu: Any, memory: Any) -> None:
    """ECS accepts only the published cpu/memory pairs for Fargate tasks."""
    try:
        valid = int(cpu) in FARGATE_SIZES and int(memory) in fargate_memory_options(int(cpu))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ResourceError(
            f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
            "See the Amazon ECS documentation for the valid values."
        )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


class EcsService(Resource, CloudFormationModel):
    """An ECS service with everything the compiler sets; Ref is the service ARN."""

    TYPE = "AWS::ECS::Service"
    NAME_PROPERTY = "ServiceName"
    CREATE_ONLY = ("Cluster", "ServiceName", "Role", "SchedulingStrategy")
    ATTRIBUTES = {"Name": "name", "ServiceArn": "physical_id"}

    @property
    def name(self) -> str:
        return self.physical_id.split("/")[-1]

    @property
    def cluster(self) -> str:
        return str(self.properties.get("Cluster") or "default").split("/")[-1]

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        if props.get("LaunchType") and props.get("CapacityProviderStrategy"):
            raise ResourceError(
                "Specifying both a launch type and capacity provider strategy is not supported."
            )
        _check_target_groups(props, account_id, region_name)
        backend = _backend(account_id, region_name)
        cluster = backend.clusters.get(str(props.get("Cluster") or "default").split("/")[-1])
        if cluster is None or cluster.status != "ACTIVE":
            raise ResourceError("Cluster not found. (ClusterNotFoundException)")
        _check_service_connect(props, None, account_id, region_name)
        service = backend.create_service(
            str(props.get("Cluster") or "default"),
            name,
            int(props.get("DesiredCount", 1)),
            task_definition_str=props.get("TaskDefinition"),
            load_balancers=lower_first(props.get("LoadBalancers") or []),
            scheduling_strategy=props.get("SchedulingStrategy"),
            tags=_api_tags(props),
            deployment_controller=lower_first(props.get("DeploymentController")),
            launch_type=props.get("LaunchType")
            or ("FARGATE" if not props.get("CapacityProviderStrategy") else None),
            service_registries=lower_first(props.get("ServiceRegistries") or []),
            platform_version=props.get("PlatformVersion"),
            propagate_tags=props.get("PropagateTags") or "NONE",
            network_configuration=_network(props),
            role_arn=props.get("Role"),
        )
        handle = cls(service.arn, props, account_id, region_name)
        backend._get_cluster(service.cluster_name).active_services_count += 1
        try:
            handle._apply(service, props)
        except ResourceError as err:
            # The service exists but never stabilized: CloudFormation's event names it, and its
            # rollback deletes it (the engine only deletes what was created, so that happens here).
            handle._delete()
            raise ResourceError(str(err), service.arn) from err
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        _check_target_groups(props, self.account_id, self.region_name)
        _check_service_connect(props, self.physical_id, self.account_id, self.region_name)
        backend = _backend(self.account_id, self.region_name)
        changes: dict[str, Any] = {"cluster": self.cluster, "service": self.name}
        running = backend.services[f"{self.cluster}:{self.name}"].task_definition
        strategy = rollouts.strategy_of(lower_first(props.get("DeploymentConfiguration")))
        # Blue/green, canary, linear: a task definition other than the one running starts a rollout.
        rollout = strategy in rollouts.STRATEGIES and props.get("TaskDefinition") not in (None, running)
        if props.get("TaskDefinition"):
            changes["task_definition"] = props["TaskDefinition"]
            # A new task definition is a new deployment (new id); it is the only one once stable.
            changes["force_new_deployment"] = not rollout and props["TaskDefinition"] != self.properties.get(
                "TaskDefinition"
            )
        if "DesiredCount" in props:
            changes["desired_count"] = int(props["DesiredCount"])
        service = backend.update_service(changes)
        service.load_balancers = lower_first(props.get("LoadBalancers") or [])
        service.service_registries = lower_first(props.get("ServiceRegistries") or [])
        service.tags = _api_tags(props)
        nc = _network(props)
        service.network_configuration = service._validate_network(nc) if nc else {}
        self._apply(service, props, running if rollout else None)

    def live(self) -> dict[str, Any] | None:
        service = _backend(self.account_id, self.region_name).services.get(f"{self.cluster}:{self.name}")
        if service is None or service.status != "ACTIVE":
            return None
        return {"DesiredCount": service.desired_count, "TaskDefinition": service.task_definition}

    @staticmethod
    def _apply(service: Any, props: dict[str, Any], rollout_from: str | None = None) -> None:
        """Set what moto's backend API does not take, under the attribute names its serializer reads.

        ``rollout_from``: the task definition a blue/green, canary or linear rollout starts from."""
        strategy = lower_first(props.get("CapacityProviderStrategy"))
        service.capacity_provider_strategy = strategy
        service.launch_type = None if strategy else (props.get("LaunchType") or "FARGATE")
        service.platform_version = props.get("PlatformVersion") or "LATEST"
        service.platform_family = "Linux"
        service.deployment_configuration = lower_first(
            props.get("DeploymentConfiguration") or {"MaximumPercent": 200, "MinimumHealthyPercent": 100}
        )
        service.enable_execute_command = as_bool(props.get("EnableExecuteCommand", False))
        service.enable_ecs_managed_tags = as_bool(props.get("EnableECSManagedTags", False))
        service.propagate_tags = props.get("PropagateTags") or "NONE"
        if "HealthCheckGracePeriodSeconds" in props:
            service.health_check_grace_period_seconds = int(props["HealthCheckGracePeriodSeconds"])
        if rollout_from is not None:
            _rollout(service, rollout_from)()
        _deploy(service, props)
        service.events.insert(
            0,
            {
                "id": str(uuid.uuid4()),
                "createdAt": utcnow(),
                "message": f"(service {service.name}) has reached a steady state.",
            },
        )
        for deployment in service.deployments:
            deployment.update(
                launchType=service.launch_type,
                capacityProviderStrategy=strategy,
                platformVersion=service.platform_version,
                networkConfiguration=service.network_configuration or None,
                taskDefinition=service.task_definition,
                desiredCount=service.desired_count,
                runningCount=service.running_count,
                pendingCount=0,
                rolloutState="COMPLETED",
                rolloutStateReason=f"ECS deployment {deployment['id']} completed.",
            )
            service_connect.report(deployment, service)

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        pair = f"{self.cluster}:{self.name}"
        service = backend.services.get(pair)
        if service is not None and service.arn == self.physical_id and service.status == "ACTIVE":
            service.desired_count = 0
            _register_tasks(service, self.properties)
            tasks.stop_tasks(service, tasks.running(service), "Service deleted")
            service_connect.remove(service)
            # INACTIVE, as ECS keeps a deleted service: described (events included), no longer listed.
            backend.delete_service(self.cluster, self.name, force=True)
            cluster = backend.clusters.get(self.cluster)
            if cluster is not None:
                cluster.active_services_count = max(0, cluster.active_services_count - 1)


def _deploy(service: Any, props: dict[str, Any]) -> None:
    """ECS rolling out the service's task definition: tasks go through their lifecycle until the
    desired count runs it, then the tasks of earlier deployments stop. A failed rollout raises
    ResourceError (the tasks of the earlier deployment keep running)."""
    subnets = (service.network_configuration or {}).get("awsvpcConfiguration", {}).get("subnets") or []
    current = tasks.running(service)
    fresh = [t for t in current if t.task_definition_arn == service.task_definition]
    ips = _task_ips(service, subnets) if subnets else []
    addresses = [(subnets[n % len(subnets)], ip) for n, ip in enumerate(ips)][len(fresh) :]
    if addresses:
        definition = service._backend.describe_task_definition(service.task_definition)
        groups = [lb.get("targetGroupArn") for lb in service.load_balancers or [] if lb.get("targetGroupArn")]
        tasks.roll_out(service, definition, addresses, groups)
    deployment = service.deployments[0]["id"] if service.deployments else "ecs-svc/0"
    stale = [t for t in current if t not in fresh] + fresh[len(ips) :]
    tasks.stop_tasks(service, stale, f"Scaling activity initiated by (deployment {deployment})")
    _steady(service)
    _register_tasks(service, props)


def _rollout(service: Any, previous: str) -> Callable[[], None]:
    """Prepare a blue/green, canary or linear deployment from ``previous`` (see `rollouts`): it is
    listed at once; the function returned carries it out (raising ResourceError if it fails). The
    green tasks get addresses of their own (a new generation), which stay theirs if it succeeds."""
    subnets = (service.network_configuration or {}).get("awsvpcConfiguration", {}).get("subnets") or []
    generation = getattr(service, "fgc_generation", 0)
    service.fgc_generation = generation + 1
    ips = _task_ips(service, subnets) if subnets else []
    rollout = rollouts.Rollout(
        service, previous, [(subnets[n % len(subnets)], ip) for n, ip in enumerate(ips)]
    )

    def run() -> None:
        try:
            rollout.run()
        except ResourceError:
            service.fgc_generation = generation  # green stopped: the running tasks are blue's
            raise

    return run


def start_deployment(service: Any, task_definition: str | None = None) -> None:
    """UpdateService through the ECS API (not CloudFormation) on a blue/green, canary or linear
    service, with a new task definition or ``forceNewDeployment``: ECS answers at once and carries
    the deployment out in the background ("UpdateService": the service scheduler starts a new
    deployment); its progress shows in ListServiceDeployments."""
    previous = service.task_definition
    if task_definition:
        service.task_definition = service._backend.describe_task_definition(task_definition).arn
    run = _rollout(service, previous)

    def carry_out() -> None:
        with contextlib.suppress(ResourceError):  # a failed rollout is in the service's records and events
            run()
            _deploy(service, _service_props(service))

    threading.Thread(target=carry_out, name=f"ecs-deployment-{service.name}", daemon=True).start()


def _steady(service: Any) -> None:
    """CloudFormation reports a service complete only once it is stable: every desired task running.

    So the emulator's services are steady when the stack settles, and ``services_stable`` waiters
    (and ``fgc status``) see what they would see in AWS after a successful deploy."""
    backend = service._backend
    cluster = backend._get_cluster(service.cluster_name)
    backend.update_cluster_resources(cluster, -service.pending_count, task_state="PENDING")
    backend.update_cluster_resources(
        cluster, service.desired_count - service.running_count, task_state="RUNNING"
    )
    service.running_count, service.pending_count = service.desired_count, 0


def _register_tasks(service: Any, props: dict[str, Any]) -> None:
    """Register the service's running tasks where ECS would: one healthy IP target per task in
    each target group, one instance per task in each Cloud Map service. Then
    ``describe_target_health`` and ``discover_instances`` agree with the running count."""
    subnets = (service.network_configuration or {}).get("awsvpcConfiguration", {}).get("subnets") or []
    ips = _task_ips(service, subnets) if subnets else []
    _sync_targets(service, props, ips)
    _sync_discovery(service, props, ips)
    definition = service._backend.describe_task_definition(service.task_definition)
    ports = {
        m["name"]: int(m["containerPort"])
        for c in definition.container_definitions
        for m in c.get("portMappings") or []
        if m.get("name")
    }
    instances = {_instance_id(service, ip): ip for ip in ips}
    service_connect.sync(service, props.get("ServiceConnectConfiguration"), instances, ports)


def _sync_targets(service: Any, props: dict[str, Any], ips: list[str]) -> None:
    elbv2 = elbv2_backends[service._account_id][service.region_name]
    wanted = {}
    for entry in props.get("LoadBalancers") or []:
        group = elbv2.target_groups.get(rollouts.live_group(service, str(entry.get("TargetGroupArn"))))
        if group is not None and group.target_type == "ip":
            wanted[group.arn] = [
                {"Id": ip, "Port": int(entry.get("ContainerPort") or group.port)} for ip in ips
            ]
    for arn, targets in getattr(service, "registered_targets", {}).items():
        group = elbv2.target_groups.get(arn)
        if group is not None:
            group.deregister(
                [t for t in targets if t["Id"] in group.targets and t not in wanted.get(arn, [])]
            )
    for arn, targets in wanted.items():
        elbv2.target_groups[arn].register(targets)
    service.registered_targets = wanted


def _sync_discovery(service: Any, props: dict[str, Any], ips: list[str]) -> None:
    discovery = servicediscovery_backends[service._account_id][service.region_name]
    wanted = {}
    for entry in props.get("ServiceRegistries") or []:
        service_id = str(entry.get("RegistryArn", "")).rsplit("/", 1)[-1]
        if service_id in discovery.services:
            wanted[service_id] = {_instance_id(service, ip): ip for ip in ips}
    for service_id, instances in getattr(service, "registered_instances", {}).items():
        if service_id in discovery.services:
            registered = {i.instance_id for i in discovery.list_instances(service_id)}
            for instance_id in set(instances) & registered - set(wanted.get(service_id, {})):
                discovery.deregister_instance(service_id, instance_id)
    for service_id, instances in wanted.items():
        register_task_instances(discovery, service_id, service, instances)
    service.registered_instances = wanted


def _instance_id(service: Any, ip: str) -> str:
    """A task-id-like instance id, stable for a service's task at a given address."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"{service.arn}/{ip}").hex


def _task_ips(service: Any, subnets: list[str]) -> list[str]:
    """Private IPs for the service's running tasks, spread over its subnets, stable per service."""
    ec2 = ec2_backends[service._account_id][service.region_name]
    generation = getattr(service, "fgc_generation", 0)  # each blue/green style rollout's tasks: new IPs
    offset = (
        16 + zlib.crc32(f"{service.arn}#{generation}".encode() if generation else service.arn.encode()) % 200
    )
    ips = []
    for index in range(service.desired_count):
        network = ipaddress.ip_network(ec2.get_subnet(subnets[index % len(subnets)]).cidr_block)
        ips.append(str(network[(offset + index // len(subnets)) % (network.num_addresses - 5) + 4]))
    return ips


def _check_target_groups(props: dict[str, Any], account_id: str, region_name: str) -> None:
    """ECS refuses a target group no load balancer routes to (hence the service's DependsOn on
    its listener rule); the emulator refuses it too, so a missing dependency shows up here."""
    target_groups = elbv2_backends[account_id][region_name].target_groups
    for entry in props.get("LoadBalancers") or []:
        arn = entry.get("TargetGroupArn")
        if arn is None:
            continue
        if arn not in target_groups:
            raise ResourceError(f"The target group with targetGroupArn {arn} does not exist.")
        if not target_groups[arn].load_balancer_arns:
            raise ResourceError(
                f"The target group with targetGroupArn {arn} does not have an associated load balancer."
            )


def _check_service_connect(
    props: dict[str, Any], service_arn: str | None, account_id: str, region_name: str
) -> None:
    """ECS refuses a Service Connect configuration before it creates or changes the service."""
    config = props.get("ServiceConnectConfiguration")
    if config and props.get("TaskDefinition"):
        definition = _backend(account_id, region_name).describe_task_definition(props["TaskDefinition"])
        service_connect.check(config, definition, service_arn, account_id, region_name)


def _network(props: dict[str, Any]) -> dict[str, Any] | None:
    """NetworkConfiguration in API form, with AWS's default ``assignPublicIp: DISABLED``."""
    config = (props.get("NetworkConfiguration") or {}).get("AwsvpcConfiguration")
    if not config:
        return None
    return {
        "awsvpcConfiguration": {
            "subnets": list(config.get("Subnets") or []),
            "securityGroups": list(config.get("SecurityGroups") or []),
            "assignPublicIp": config.get("AssignPublicIp") or "DISABLED",
        }
    }


def _service_props(service: Any) -> dict[str, Any]:
    """The CloudFormation-form properties task registration reads, rebuilt from the ECS service."""
    return {
        "LoadBalancers": [
            {"TargetGroupArn": lb.get("targetGroupArn"), "ContainerPort": lb.get("containerPort")}
            for lb in service.load_balancers or []
        ],
        "ServiceRegistries": [
            {"RegistryArn": r.get("registryArn")} for r in service.service_registries or []
        ],
        "ServiceConnectConfiguration": getattr(service, "service_connect_props", None),
    }


def _find_service(account_id: str, region_name: str, service: str) -> Any:
    """An ECS service by name or ARN (names are unique enough across the emulator's clusters)."""
    backend = _backend(account_id, region_name)
    found = next(
        (s for s in backend.services.values() if service in (s.arn, s.name) and s.status == "ACTIVE"), None
    )
    if found is None:
        raise ValueError(f"no ECS service {service.split('/')[-1]} in {region_name}")
    return found


def clamp_desired_count(account_id: str, region_name: str, resource_id: str, low: int, high: int) -> None:
    """Application Auto Scaling registering ``service/<cluster>/<name>`` with [low, high]: an active
    service's desired count moves into that range, and ECS starts (or stops) tasks to match."""
    _, cluster, name = resource_id.split("/", 2)
    service = _backend(account_id, region_name).services.get(f"{cluster}:{name}")
    if service is None or service.status != "ACTIVE":
        return  # not an active service: AWS leaves the capacity alone
    wanted = min(max(service.desired_count, low), high)
    if wanted == service.desired_count:
        return
    service.desired_count = wanted
    with contextlib.suppress(ResourceError):  # tasks that cannot start leave the service short
        _deploy(service, _service_props(service))
    for deployment in service.deployments:
        deployment.update(desiredCount=wanted, runningCount=wanted, pendingCount=0)


def stall_service(
    account_id: str, region_name: str, service: str, running: int = 0, rollout: str = "IN_PROGRESS"
) -> dict[str, Any]:
    """Fault hook: the service's tasks keep stopping, so only ``running`` of its desired tasks run.

    What ECS shows when new tasks crash or cannot pull their image: the counts fall short, the
    PRIMARY deployment stays ``IN_PROGRESS`` (or ``FAILED``, as the circuit breaker marks it),
    a service event says why, and only running tasks stay registered in the target groups. The next
    CloudFormation update of the service makes it steady again. ``service`` is a name or an ARN."""
    if rollout not in ("IN_PROGRESS", "FAILED"):
        raise ValueError("'rollout' must be IN_PROGRESS or FAILED")
    backend = _backend(account_id, region_name)
    found = _find_service(account_id, region_name, service)
    running = max(0, min(int(running), found.desired_count))
    cluster = backend._get_cluster(found.cluster_name)
    backend.update_cluster_resources(cluster, running - found.running_count, task_state="RUNNING")
    found.running_count, found.pending_count = running, found.desired_count - running
    reason = f"(service {found.name}) is unable to consistently start tasks successfully."
    for deployment in found.deployments[:1]:
        deployment.update(
            runningCount=running,
            pendingCount=found.pending_count,
            failedTasks=found.desired_count - running,
            rolloutState=rollout,
            rolloutStateReason=reason
            if rollout == "IN_PROGRESS"
            else "ECS deployment circuit breaker: tasks failed to start.",
        )
    found.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": reason})
    subnets = (found.network_configuration or {}).get("awsvpcConfiguration", {}).get("subnets") or []
    _sync_targets(found, _service_props(found), _task_ips(found, subnets)[:running] if subnets else [])
    return {"service": found.arn, "runningCount": running, "desiredCount": found.desired_count}


def hide_inactive() -> None:
    """``ListClusters`` and ``ListServices`` show only ACTIVE ones; ECS keeps INACTIVE clusters and
    services describable ("DeleteService": "Services in the DRAINING or INACTIVE status can still be
    viewed with the DescribeServices API operation"), which moto's lists do not tell apart."""
    from moto.ecs.models import EC2ContainerServiceBackend as Backend

    if getattr(Backend.list_clusters, "fgc", False):
        return
    list_clusters, list_services = Backend.list_clusters, Backend.list_services

    def active_clusters(self: Any) -> list[str]:
        return [
            arn for arn in list_clusters(self) if self.clusters[arn.rsplit("/", 1)[-1]].status == "ACTIVE"
        ]

    def active_services(self: Any, cluster_str: str, *args: Any, **kwargs: Any) -> list[str]:
        active = {s.arn for s in self.services.values() if s.status == "ACTIVE"}
        return [arn for arn in list_services(self, cluster_str, *args, **kwargs) if arn in active]

    active_clusters.fgc = True  # type: ignore[attr-defined]
    Backend.list_clusters, Backend.list_services = active_clusters, active_services  # type: ignore[method-assign]
