"""What ECS and the load balancer say about a stack set's services.

Shared by ``fgc status`` (counts, rollouts, target health), ``--wait-stable``
and the ``--local`` read-back (task definition, image, health check path,
scaling range), so each is read the same way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fgc.compiler.naming import service_of
from fgc.deployer.errors import DeployFailed, Recovery
from fgc.deployer.polling import Poll
from fgc.deployer.session import Aws, aws_call
from fgc.deployer.stacks import StackResource, require, resources

if TYPE_CHECKING:
    from fgc.deployer.traffic import RunningDeployment


@dataclass(frozen=True)
class Rollout:
    """One ECS deployment of a service (PRIMARY is the newest)."""

    status: str
    rollout_state: str | None
    running: int
    desired: int
    pending: int
    task_definition: str


@dataclass(frozen=True)
class TargetHealth:
    """One registered target of a service's target group."""

    target: str
    state: str
    reason: str | None = None


@dataclass
class ProductionTraffic:
    """Where ECS sends a blue/green, canary or linear service's production traffic.

    The routing comes from the service's load balancer entry (its ``advancedConfiguration``); the
    weights and the running ECS deployments are read by ``fgc status`` only
    (``deployer.status``), and stay None when the caller may not read them (``unread`` says why).
    """

    production_rule: str
    primary: str
    alternate: str
    primary_weight: int | None = None
    alternate_weight: int | None = None
    deployments: list[RunningDeployment] | None = None
    unread: list[str] = field(default_factory=list)


@dataclass
class ServiceInfo:
    """An ECS service of the stack set, as the services themselves report it."""

    stack: str
    name: str
    cluster: str
    status: str
    running: int
    desired: int
    pending: int
    task_definition: str
    rollouts: list[Rollout] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    health_check_paths: list[str] = field(default_factory=list)
    targets: list[TargetHealth] = field(default_factory=list)
    scaling: tuple[int, int] | None = None
    #: Set for a service whose traffic ECS shifts itself (blue/green, canary, linear).
    traffic: ProductionTraffic | None = None

    @property
    def stable(self) -> bool:
        """One deployment, all desired tasks running (what ``aws ecs wait services-stable`` means)."""
        return len(self.rollouts) <= 1 and self.running == self.desired and self.pending == 0

    @property
    def failed_rollout(self) -> Rollout | None:
        return next((r for r in self.rollouts if r.rollout_state == "FAILED"), None)


def cluster_of(service_arn: str, clusters: list[str]) -> str:
    """``arn:...:service/<cluster>/<name>`` names its cluster; old-style ARNs use the stack's cluster."""
    parts = service_arn.split(":")[-1].split("/")
    if len(parts) == 3:
        return parts[1]
    return clusters[0] if clusters else "default"


def services(
    aws: Aws, stack_id: str, detail: bool = True, inventory: list[StackResource] | None = None
) -> list[ServiceInfo]:
    """Every ECS service of the stack set; ``detail`` adds images, target health and scaling."""
    inventory = inventory if inventory is not None else resources(aws, stack_id)
    clusters = [r.physical_id for r in inventory if r.resource_type == "AWS::ECS::Cluster" and r.physical_id]
    found = [r for r in inventory if r.resource_type == "AWS::ECS::Service" and r.physical_id]
    ecs = aws.client("ecs")
    infos = []
    for res in found:
        cluster = cluster_of(res.physical_id, clusters)
        described = ecs.describe_services(cluster=cluster, services=[res.physical_id])["services"]
        if not described:
            continue
        svc = described[0]
        info = ServiceInfo(
            stack=res.stack,
            name=svc["serviceName"],
            cluster=cluster,
            status=svc.get("status", ""),
            running=svc.get("runningCount", 0),
            desired=svc.get("desiredCount", 0),
            pending=svc.get("pendingCount", 0),
            task_definition=svc.get("taskDefinition", ""),
            rollouts=[
                Rollout(
                    d.get("status", ""),
                    d.get("rolloutState"),
                    d.get("runningCount", 0),
                    d.get("desiredCount", 0),
                    d.get("pendingCount", 0),
                    d.get("taskDefinition", ""),
                )
                for d in svc.get("deployments", [])
            ],
            target_groups=[
                lb["targetGroupArn"] for lb in svc.get("loadBalancers", []) if lb.get("targetGroupArn")
            ],
            traffic=_shifted(svc.get("loadBalancers", [])),
        )
        if detail:
            _add_detail(aws, info)
        infos.append(info)
    return infos


def _shifted(balancers: list[dict[str, Any]]) -> ProductionTraffic | None:
    """The routing of the load balancer entry ECS shifts traffic for (``advancedConfiguration``:
    the production listener rule and the alternate target group, ECS API reference,
    AdvancedConfiguration); None for a rolling service."""
    for balancer in balancers:
        advanced = balancer.get("advancedConfiguration") or {}
        if advanced.get("productionListenerRule") and advanced.get("alternateTargetGroupArn"):
            return ProductionTraffic(
                advanced["productionListenerRule"],
                balancer.get("targetGroupArn", ""),
                advanced["alternateTargetGroupArn"],
            )
    return None


def _add_detail(aws: Aws, info: ServiceInfo) -> None:
    """Images of the running task definition, target groups' health checks and targets, scaling range."""
    if info.task_definition:
        task = aws.client("ecs").describe_task_definition(taskDefinition=info.task_definition)[
            "taskDefinition"
        ]
        info.images = [c.get("image", "") for c in task.get("containerDefinitions", [])]
    if info.target_groups:
        elbv2 = aws.client("elbv2")
        groups = elbv2.describe_target_groups(TargetGroupArns=info.target_groups)["TargetGroups"]
        info.health_check_paths = [g.get("HealthCheckPath", "") for g in groups]
        for arn in info.target_groups:
            for desc in elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]:
                health = desc.get("TargetHealth", {})
                info.targets.append(
                    TargetHealth(
                        desc["Target"]["Id"], health.get("State", "unknown"), health.get("Description")
                    )
                )
    scaling = aws.client("application-autoscaling").describe_scalable_targets(
        ServiceNamespace="ecs", ResourceIds=[f"service/{info.cluster}/{info.name}"]
    )["ScalableTargets"]
    if scaling:
        info.scaling = (scaling[0]["MinCapacity"], scaling[0]["MaxCapacity"])


@aws_call
def stack_services(aws: Aws, stack_name: str, labels: dict[str, str] | None = None) -> list[ServiceInfo]:
    """The services of a deployed stack set, in detail (the ``--local`` read-back)."""
    stack_id = require(aws, stack_name).stack_id
    return services(aws, stack_id, inventory=resources(aws, stack_id, labels))


@aws_call
def wait_stable(
    aws: Aws,
    stack_id: str,
    poll: Poll,
    on_progress: Callable[[list[ServiceInfo]], None] | None = None,
    timeout: float = 1800.0,
    labels: dict[str, str] | None = None,
) -> list[ServiceInfo]:
    """Wait until every service runs its desired count on one deployment.

    Raises :class:`DeployFailed` naming the services at fault: at once when ECS marks a
    rollout FAILED, or once ``timeout`` seconds pass with a service still short of its count.
    """
    inventory = resources(aws, stack_id, labels)
    poll = poll.fresh()
    deadline = time.monotonic() + timeout
    while True:
        infos = services(aws, stack_id, detail=False, inventory=inventory)
        if on_progress:
            on_progress(infos)
        if failed := [i for i in infos if i.failed_rollout]:
            raise DeployFailed(
                "ECS could not roll out "
                + "; ".join(f"{_named(i)}: deployment FAILED, {_counts(i)}" for i in failed),
                recovery=Recovery.INSPECT_SERVICE,
                service=spec_name(failed[0]),
            )
        if all(info.stable for info in infos):
            return infos
        if time.monotonic() > deadline:
            short = [i for i in infos if not i.stable]
            waiting = "; ".join(f"{_named(i)}: {_counts(i)}" for i in short)
            raise DeployFailed(
                f"not stable after {timeout:g}s: {waiting}",
                recovery=Recovery.WAIT_LONGER,
                service=spec_name(short[0]),
            )
        poll.sleep()


def _named(info: ServiceInfo) -> str:
    """``service-web (ECS service <name>)``: the stack fgc named it after, then what ECS calls it."""
    return f"{info.stack} (ECS service {info.name})"


def spec_name(info: ServiceInfo) -> str:
    """The service's name in fargate.yaml, as ``fgc logs`` takes it (its stack's label otherwise)."""
    return service_of(info.stack) or info.stack


def _counts(info: ServiceInfo) -> str:
    deployments = f", {len(info.rollouts)} deployments" if len(info.rollouts) > 1 else ""
    return f"{info.running} of {info.desired} tasks running, {info.pending} pending{deployments}"
