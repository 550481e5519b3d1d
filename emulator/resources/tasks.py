"""The tasks of an ECS service's deployment: PROVISIONING -> PENDING -> RUNNING, or STOPPED.

ECS starts a deployment's tasks, and each one either reaches RUNNING or stops with a stop code and
a reason ("Amazon ECS task lifecycle", "Amazon ECS stopped tasks error codes"). What decides it:

* ``launch.launch_failure``: network path, execution role, secrets and images (``TaskFailedToStart``);
* an injected ``task`` fault (``faults.TaskFault``): an essential container that exits
  (``EssentialContainerExited``, "Essential container in task exited", its exit code, and the last
  lines it wrote in its log stream), or load balancer health checks that fail (target ``unhealthy``
  with ELB's reason code, the task stopped by the scheduler: ``ServiceSchedulerInitiated``,
  "Task failed ELB health checks in (target-group ...)").

Failed tasks are replaced, and the deployment circuit breaker counts them: its threshold is
0.5 x the desired count, at least 3 and at most 200 (``ServiceDeploymentCircuitBreaker``,
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html).
Reaching it fails the deployment (``rolloutState: FAILED``) and CloudFormation's service resource
with the handler's message "Error occurred during operation 'ECS Deployment Circuit Breaker was
triggered'." Without a circuit breaker ECS keeps trying and CloudFormation gives up waiting
(``NotStabilized``). Every step takes ``TICK`` seconds: times are compressed, not skipped, so a
client polling the emulator sees the tasks pass through their states.
"""

from __future__ import annotations

import math
import os
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.core.utils import utcnow
from moto.ec2.models import ec2_backends
from moto.elbv2.models import elbv2_backends
from moto.logs.models import logs_backends

from ..faults import Faults, TaskFault
from ..stand_ins import StandIns
from .base import ResourceError
from .launch import LaunchFailure, reach

#: Seconds each lifecycle step lasts (ECS takes tens of seconds; the emulator compresses that).
TICK = float(os.environ.get("FGC_EMULATOR_TICK", "0.05"))
#: Stopped tasks kept per cluster (ECS shows stopped tasks for at least an hour).
STOPPED_KEPT = 100
CIRCUIT_BREAKER = (
    "Resource handler returned message: \"Error occurred during operation 'ECS Deployment Circuit Breaker "
    "was triggered'.\" (RequestToken: {token}, HandlerErrorCode: GeneralServiceException)"
)
NOT_STABILIZED = (
    'Resource handler returned message: "Exceeded attempts to wait" (RequestToken: {token}, '
    "HandlerErrorCode: NotStabilized)"
)
#: ELB's target health description for each reason code of an unhealthy target (TargetHealth).
HEALTH_DESCRIPTIONS = {
    "Target.ResponseCodeMismatch": "Health checks failed with these codes: [{code}]",
    "Target.Timeout": "Request timed out",
    "Target.FailedHealthChecks": "Health checks failed",
}


class _State:
    """The running emulator's fault registry and stand-ins (one per process, like moto's backends)."""

    faults: Faults | None = None
    stand_ins: StandIns | None = None


def use(faults: Faults, stand_ins: StandIns) -> None:
    """Called by the emulator's front app: task faults and stand-in images come from its registries."""
    _State.faults, _State.stand_ins = faults, stand_ins


@dataclass
class Container:
    """A task's container as ``describe_tasks`` shows it (attribute names are the API's, snake_cased)."""

    container_arn: str
    task_arn: str
    name: str
    image: str
    essential: bool
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    health_status: str = "UNKNOWN"


class Task:
    """One task of a service, stored in moto's ECS backend so ``list_tasks``/``describe_tasks`` see it."""

    def __init__(self, service: Any, task_definition: Any, subnet: str, ip: str, deployment: str) -> None:
        self.id = uuid.uuid4().hex
        region, account = service.region_name, service._account_id
        cluster = service._backend._get_cluster(service.cluster_name)
        self.task_arn = f"arn:aws:ecs:{region}:{account}:task/{cluster.name}/{self.id}"
        self.cluster_name, self.cluster_arn = cluster.name, cluster.arn
        self.task_definition_arn = task_definition.arn
        self.group = f"service:{service.name}"
        self.started_by = deployment
        self.launch_type = service.launch_type or "FARGATE"
        strategy = service.capacity_provider_strategy or []
        self.capacity_provider_name = strategy[0].get("capacityProvider") if strategy else None
        self.platform_version = service.platform_version or "LATEST"
        self.platform_family = "Linux"
        self.cpu, self.memory = task_definition.cpu, task_definition.memory
        self.last_status, self.desired_status = "PROVISIONING", "RUNNING"
        self.created_at = utcnow()
        self.started_at: datetime | None = None
        self.stopping_at: datetime | None = None
        self.stopped_at: datetime | None = None
        self.stop_code: str | None = None
        self.stopped_reason: str | None = None
        self.health_status = "UNKNOWN"
        self.container_instance_arn: str | None = None
        self.tags: list[dict[str, str]] = []
        self.overrides: dict[str, Any] = {"containerOverrides": [], "inferenceAcceleratorOverrides": []}
        self.subnet, self.ip = subnet, ip
        ec2 = ec2_backends[account][region]
        self.availability_zone = ec2.get_subnet(subnet).availability_zone
        self.attachments = [
            {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, self.task_arn)),
                "type": "ElasticNetworkInterface",
                "status": "ATTACHED",
                "details": [
                    {"name": "subnetId", "value": subnet},
                    {"name": "privateIPv4Address", "value": ip},
                ],
            }
        ]
        self.containers = [
            Container(
                f"arn:aws:ecs:{region}:{account}:container/{cluster.name}/{self.id}/{uuid.uuid4()}",
                self.task_arn,
                str(c.get("name")),
                str(c.get("image")),
                bool(c.get("essential", True)),
            )
            for c in task_definition.container_definitions or []
        ]

    def advance(self) -> None:
        """moto's ``describe_tasks`` advances its own tasks' state; this task's state is its own."""

    def set_status(self, status: str) -> None:
        self.last_status = status
        for container in self.containers:
            if container.last_status != "STOPPED":
                container.last_status = status
        if status == "RUNNING":
            self.started_at = utcnow()

    def stop(self, code: str, reason: str) -> None:
        self.desired_status, self.stop_code, self.stopped_reason = "STOPPED", code, reason
        self.stopping_at = utcnow()
        self.set_status("STOPPED")
        self.stopped_at = utcnow()


def circuit_breaker_threshold(desired: int) -> int:
    """0.5 x the desired count, at least 3 and at most 200."""
    return min(200, max(3, math.ceil(0.5 * desired)))


def event(service: Any, message: str) -> None:
    service.events.insert(0, {"id": str(uuid.uuid4()), "createdAt": utcnow(), "message": message})


def _tasks_of(service: Any) -> dict[str, Task]:
    return service._backend.tasks.setdefault(service.cluster_name, {})


def running(service: Any) -> list[Task]:
    """The service's tasks that are RUNNING now."""
    group = f"service:{service.name}"
    return [
        t
        for t in _tasks_of(service).values()
        if isinstance(t, Task) and t.group == group and t.last_status == "RUNNING"
    ]


def _forget_old_stopped(service: Any) -> None:
    tasks = _tasks_of(service)
    stopped = [arn for arn, t in tasks.items() if isinstance(t, Task) and t.last_status == "STOPPED"]
    for arn in stopped[: max(0, len(stopped) - STOPPED_KEPT)]:
        del tasks[arn]


def stop_tasks(service: Any, tasks: list[Task], reason: str) -> None:
    """The scheduler stopping tasks (scale-in, a finished rollout, a deleted service)."""
    for task in tasks:
        task.stop("ServiceSchedulerInitiated", reason)
    if tasks:
        ids = " ".join(f"(task {t.id})" for t in tasks)
        event(service, f"(service {service.name}) has stopped {len(tasks)} running tasks: {ids}.")


def roll_out(
    service: Any, task_definition: Any, addresses: list[tuple[str, str]], target_groups: list[str]
) -> list[Task]:
    """Start ``len(addresses)`` tasks (subnet, IP each) until all run; returns them.

    Failed tasks are replaced until the circuit breaker's threshold is reached: then the deployment
    is FAILED and ``ResourceError`` carries CloudFormation's reason."""
    from .launch import launch_failure

    deployment = service.deployments[0] if service.deployments else {"id": "ecs-svc/0"}
    account, region = service._account_id, service.region_name
    config = service.deployment_configuration or {}
    breaker = (config.get("deploymentCircuitBreaker") or {}).get("enable") in (True, "true", "True")
    threshold = circuit_breaker_threshold(len(addresses))
    public_ip = (service.network_configuration or {}).get("awsvpcConfiguration", {}).get(
        "assignPublicIp"
    ) == "ENABLED"
    fault = _State.faults.task_fault(service.name) if _State.faults else None
    started: list[Task] = []
    failed = 0
    while len(started) < len(addresses):
        batch = [
            Task(service, task_definition, subnet, ip, deployment["id"])
            for subnet, ip in addresses[len(started) :]
        ]
        for task in batch:
            _tasks_of(service)[task.task_arn] = task
        ids = " ".join(f"(task {t.id})" for t in batch)
        event(service, f"(service {service.name}) has started {len(batch)} tasks: {ids}.")
        time.sleep(TICK)
        for task in batch:
            task.set_status("PENDING")
        time.sleep(TICK)
        for task in batch:
            network = reach(task.subnet, public_ip, account, region)
            why = launch_failure(task_definition, network, account, region, _State.stand_ins)
            if why is None and fault is not None:
                task.set_status("RUNNING")
                time.sleep(TICK)
                why = _fault_stop(service, task, task_definition, fault, target_groups)
            if why is None:
                task.set_status("RUNNING")
                started.append(task)
                continue
            _stop_failed(task, why)
            failed += 1
        deployment.update(failedTasks=failed, runningCount=len(started))
        _forget_old_stopped(service)
        if failed >= threshold and len(started) < len(addresses):
            stop_tasks(service, started, f"Scaling activity initiated by (deployment {deployment['id']})")
            _fail(service, deployment, breaker)
    return started


def _stop_failed(task: Task, why: LaunchFailure) -> None:
    for container in task.containers:
        if container.name == why.container:
            container.reason = why.reason
    task.stop(why.stop_code, why.reason)


def _fail(service: Any, deployment: dict[str, Any], breaker: bool) -> None:
    token = str(uuid.uuid4())
    event(service, f"(service {service.name}) is unable to consistently start tasks successfully.")
    if not breaker:
        deployment.update(rolloutState="IN_PROGRESS")
        raise ResourceError(NOT_STABILIZED.format(token=token))
    deployment.update(
        rolloutState="FAILED", rolloutStateReason="ECS deployment circuit breaker: tasks failed to start."
    )
    event(
        service,
        f"(service {service.name}) deployment {deployment['id']} deployment failed: tasks failed to start.",
    )
    raise ResourceError(CIRCUIT_BREAKER.format(token=token))


def _fault_stop(
    service: Any, task: Task, task_definition: Any, fault: TaskFault, target_groups: list[str]
) -> LaunchFailure | None:
    """What an injected fault does to a task that reached RUNNING."""
    if fault.effect == "exit":
        essential = [c for c in task.containers if c.essential] or task.containers
        container = next((c for c in essential if c.name == fault.container), essential[0])
        container.exit_code, container.last_status = fault.exit_code, "STOPPED"
        _write_logs(task, task_definition, container.name, fault.logs)
        return LaunchFailure("Essential container in task exited", None, "EssentialContainerExited")
    description = HEALTH_DESCRIPTIONS[fault.reason].format(code=fault.code)
    elbv2 = elbv2_backends[service._account_id][service.region_name]
    for arn in target_groups:
        group = elbv2.target_groups.get(arn)
        if group is None:
            continue
        # The target is registered, fails its checks (ELB's state and reason), then ECS stops the task.
        group.register([{"Id": task.ip, "Port": group.port}])
        unhealthy_targets(group)[task.ip] = (fault.reason, description)
        time.sleep(TICK)
        group.deregister([{"Id": task.ip}])
        unhealthy_targets(group).pop(task.ip, None)
        event(
            service,
            f"(service {service.name}) (task {task.id}) (port {group.port}) is unhealthy in "
            f"(target-group {arn}) due to (reason {description}).",
        )
        return LaunchFailure(
            f"Task failed ELB health checks in (target-group {arn})", None, "ServiceSchedulerInitiated"
        )
    return None


def _write_logs(task: Task, task_definition: Any, container: str, lines: list[str]) -> None:
    """The container's last output, where its awslogs driver sends it (``prefix/container/task-id``)."""
    definition: dict[str, Any] = next(
        (c for c in task_definition.container_definitions if c.get("name") == container), {}
    )
    options = (definition.get("logConfiguration") or {}).get("options") or {}
    group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
    logs = logs_backends[task.cluster_arn.split(":")[4]][task.cluster_arn.split(":")[3]]
    if not group or group not in logs.groups or not lines:
        return
    stream = f"{prefix}/{container}/{task.id}" if prefix else task.id
    logs.create_log_stream(group, stream)
    now = int(time.time() * 1000)
    logs.put_log_events(
        group, stream, [{"timestamp": now + n, "message": line} for n, line in enumerate(lines)]
    )


def unhealthy_targets(group: Any) -> dict[str, tuple[str, str]]:
    """Targets of a target group failing their health checks: IP -> (reason code, description)."""
    return group.__dict__.setdefault("fgc_unhealthy", {})


def report_unhealthy_targets() -> None:
    """Make moto's target health report the targets in ``unhealthy_targets`` as ELB does."""
    from moto.elbv2.models import FakeHealthStatus, FakeTargetGroup

    original = FakeTargetGroup.health_for
    if getattr(original, "fgc", False):
        return

    def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
        status = original(self, target, ec2_backend)
        failing = unhealthy_targets(self).get(target["Id"])
        if failing is None or status.status != "healthy":
            return status
        return FakeHealthStatus(
            status.instance_id, status.port, self.health_check_port, "unhealthy", *failing
        )

    health_for.fgc = True  # type: ignore[attr-defined]
    FakeTargetGroup.health_for = health_for  # type: ignore[method-assign]
