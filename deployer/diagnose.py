"""Why an ECS service did not become stable: what happened, the likely cause, the fix.

When a deploy fails on an ECS service (the circuit breaker, CloudFormation giving up waiting) or
``--wait-stable`` times out, CloudFormation's reason says nothing useful ("ECS Deployment Circuit
Breaker was triggered"). The facts are in ECS: the service's events, its stopped tasks (stop
code, reason, each container's reason and exit code), the target health reasons, and the last
lines its containers wrote. This reads them (read-only) and matches them against the failures the
guide's troubleshooting section lists, naming the fix as fargate.yaml keys where one applies.

ECS keeps a deleted service INACTIVE and describable, and stopped tasks for at least an hour
("Amazon ECS stopped tasks"), so a first deploy that rolled back can still be diagnosed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from fgc.deployer.session import Aws

#: Stopped tasks and service events shown (the most recent ones).
RECENT = 3
#: Log lines shown of an essential container that exited.
LOG_LINES = 10


@dataclass(frozen=True)
class ContainerStop:
    name: str
    exit_code: int | None
    reason: str | None


@dataclass(frozen=True)
class StoppedTask:
    task_id: str
    task_definition: str
    stop_code: str | None
    reason: str | None
    containers: list[ContainerStop]


@dataclass(frozen=True)
class Cause:
    """A known failure: a stable id, what it means, and the fix (fargate.yaml keys or a command)."""

    id: str
    summary: str
    fix: list[str]


@dataclass
class Diagnosis:
    """What ECS says about one service that did not stabilize."""

    service: str  # the spec's service name (or ECS's, when the spec's is unknown)
    ecs_service: str
    status: str | None = None
    what: str = ""
    events: list[str] = field(default_factory=list)
    stopped: list[StoppedTask] = field(default_factory=list)
    targets: list[str] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)
    cause: Cause | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def diagnose(
    aws: Aws, service_arn: str, label: str | None = None, cluster: str | None = None
) -> Diagnosis | None:
    """Read ECS (and the load balancer, and the logs) about the service ``service_arn`` (an ARN,
    or a name in ``cluster``).

    ``label``: the service's stack label (``service-api``), which names its spec keys. None when
    ECS no longer knows the service."""
    from fgc.deployer.session import refusals

    ecs = aws.client("ecs")
    name = label.removeprefix("service-") if label else service_arn.rsplit("/", 1)[-1]
    if cluster is None:
        cluster = service_arn.split("/")[-2] if service_arn.count("/") >= 2 else "default"
    with refusals():
        found = ecs.describe_services(cluster=cluster, services=[service_arn]).get("services") or []
        if not found:
            return None
        service = found[0]
        diagnosis = Diagnosis(name, service["serviceName"], service.get("status"))
        diagnosis.events = [e["message"] for e in (service.get("events") or [])[: RECENT * 2]]
        diagnosis.stopped = _stopped_tasks(ecs, cluster, service["serviceName"])
        diagnosis.targets = _target_reasons(aws, service)
    diagnosis.what = _what(service, diagnosis)
    diagnosis.cause = _cause(name, diagnosis)
    if diagnosis.cause is not None and diagnosis.cause.id == "essential-container-exited":
        diagnosis.log_lines = _last_log_lines(aws, ecs, diagnosis.stopped[0])
    return diagnosis


def _stopped_tasks(ecs: Any, cluster: str, service_name: str) -> list[StoppedTask]:
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED").get("taskArns") or []
    if not arns:
        return []
    tasks = [
        t
        for n in range(0, len(arns), 100)
        for t in ecs.describe_tasks(cluster=cluster, tasks=arns[n : n + 100]).get("tasks") or []
        if t.get("group") == f"service:{service_name}"  # ListTasks' serviceName filter, applied here
    ]
    tasks.sort(key=lambda t: t.get("stoppedAt") or t.get("createdAt"), reverse=True)
    return [
        StoppedTask(
            t["taskArn"].rsplit("/", 1)[-1],
            t.get("taskDefinitionArn", ""),
            t.get("stopCode"),
            t.get("stoppedReason"),
            [ContainerStop(c["name"], c.get("exitCode"), c.get("reason")) for c in t.get("containers") or []],
        )
        for t in tasks[:RECENT]
    ]


def _target_reasons(aws: Aws, service: dict[str, Any]) -> list[str]:
    elbv2 = aws.client("elbv2")
    reasons = []
    for balancer in service.get("loadBalancers") or []:
        arn = balancer.get("targetGroupArn")
        if not arn:
            continue
        try:
            health = elbv2.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
        except Exception:  # noqa: BLE001 - a deleted target group has nothing to say
            continue
        for target in health:
            state = target["TargetHealth"]
            if state.get("State") != "healthy":
                reasons.append(
                    f"{target['Target']['Id']}: {state.get('State')} {state.get('Reason', '')} "
                    f"{state.get('Description', '')}".strip()
                )
    return reasons


def _what(service: dict[str, Any], diagnosis: Diagnosis) -> str:
    deployment = (service.get("deployments") or [{}])[0]
    failed = deployment.get("failedTasks", 0)
    state = deployment.get("rolloutState")
    counts = f"{service.get('runningCount', 0)}/{service.get('desiredCount', 0)} running"
    told = f"{failed} task(s) failed" if failed else "tasks did not stay running"
    if state == "FAILED":
        return f"{told}; the deployment circuit breaker failed the deployment ({counts})"
    return f"{told}; the service did not reach a steady state ({counts})"


def _cause(service: str, diagnosis: Diagnosis) -> Cause | None:
    """The first known failure the stopped tasks (then the events) show."""
    key = f"services.{service}"
    for task in diagnosis.stopped:
        reasons = [task.reason or ""] + [c.reason or "" for c in task.containers]
        text = " ".join(reasons)
        if found := _pull_or_secrets(key, text):
            return found
        if task.stop_code == "EssentialContainerExited":
            exited = next((c for c in task.containers if c.exit_code not in (None, 0)), None)
            code = f" with exit code {exited.exit_code}" if exited else ""
            return Cause(
                "essential-container-exited",
                f"an essential container ({exited.name if exited else 'see the tasks'}) exited{code}; "
                "its last log lines are below",
                [f"{key}.command", f"{key}.environment", f"{key}.secrets", f"fgc logs {service}"],
            )
        if "failed ELB health checks" in text:
            return _health(key, " ".join(diagnosis.events + diagnosis.targets))
    return None


#: Known failures of a task that could not start: the reason's fragments that all must appear,
#: then the cause's id, summary and fixes ({key}: the service's keys; {image}, {secret}, {json_key}:
#: read from the reason). Tried in order; the first that matches is the cause.
_START_FAILURES: list[tuple[tuple[str, ...], str, str, tuple[str, ...]]] = [
    (
        ("CannotPullContainerError", "i/o timeout"),
        "no-route-to-registry",
        "the tasks cannot reach the image's registry: private subnets without NAT reach only ECR "
        "of their own region, through the VPC endpoints",
        ("{key}.image (ECR of the same region, e.g. from `registries`)", "network.vpc.nat: single"),
    ),
    (
        ("CannotPullContainerError", "403 Forbidden"),
        "execution-role-cannot-pull",
        "the execution role may not pull the image (ecr:BatchGetImage)",
        ("{key}.image", "overrides (the execution role's policy)"),
    ),
    (
        ("CannotPullContainerError",),
        "image-not-found",
        "the image {image} is not in its repository (tag or digest missing)",
        ("{key}.image (push that tag first, or name one that exists)",),
    ),
    (
        ("ResourceInitializationError", "i/o timeout"),
        "no-route-to-aws-service",
        "the tasks cannot reach ECR, Secrets Manager or SSM from their subnets",
        ("network.vpc.endpoints: true", "network.vpc.nat: single"),
    ),
    (
        ("ResourceInitializationError", "ResourceNotFoundException"),
        "secret-not-found",
        "the secret {secret} does not exist (in the task's region)",
        ("fgc secret set {secret} --key KEY (value on stdin)", "{key}.secrets"),
    ),
    (
        ("ResourceInitializationError", "did not contain json key"),
        "secret-key-not-found",
        "a secret has no JSON key {json_key}",
        ("fgc secret set NAME --key {json_key} (value on stdin)", "{key}.secrets"),
    ),
    (
        ("ResourceInitializationError", "AccessDeniedException"),
        "execution-role-cannot-read-secret",
        "the execution role may not read a referenced secret or parameter",
        ("{key}.secrets", "overrides (what changes the execution role's policy)"),
    ),
    (
        ("ResourceInitializationError", "invalid parameters"),
        "parameter-not-found",
        "an SSM parameter the tasks reference does not exist",
        ("{key}.secrets", "aws ssm put-parameter --name NAME --type SecureString"),
    ),
]


def _pull_or_secrets(key: str, text: str) -> Cause | None:
    """The known failure of a task that could not start, with what its reason names filled in."""
    image = re.search(r"failed to resolve ref (\S+?):? ", text)
    secret = re.search(r"secret (arn:\S+?) from secrets manager", text)
    json_key = re.search(r"did not contain json key (\S+)", text)
    values = {
        "key": key,
        "image": image.group(1) if image else "(see the reason)",
        "secret": _secret_name(secret.group(1)) if secret else "NAME",
        "json_key": json_key.group(1) if json_key else "KEY",
    }
    for fragments, cause, summary, fixes in _START_FAILURES:
        if all(fragment in text for fragment in fragments):
            return Cause(cause, summary.format(**values), [fix.format(**values) for fix in fixes])
    return None


def _secret_name(arn: str) -> str:
    """A secret's name from its ARN (without Secrets Manager's six-character suffix)."""
    name = arn.split(":")[6] if arn.count(":") >= 6 else arn
    return re.sub(r"-[A-Za-z0-9]{6}$", "", name)


def _health(key: str, text: str) -> Cause:
    if "Request timed out" in text or "Target.Timeout" in text:
        return Cause(
            "health-check-timeout",
            "load balancer health checks time out: the app listens elsewhere (127.0.0.1, another port) "
            "or a security group blocks the check",
            [f"{key}.port", f"{key}.command (bind 0.0.0.0)", f"{key}.http.health_check.timeout"],
        )
    if codes := re.search(r"failed with these codes: \[([^]]*)\]", text):
        return Cause(
            "health-check-code-mismatch",
            f"the health check path answers {codes.group(1)}, not the expected code",
            [f"{key}.http.health_check.path", f"{key}.http.health_check.matcher"],
        )
    return Cause(
        "health-check-failed",
        "load balancer health checks fail (connection refused or a malformed answer), or the app starts "
        "slower than the grace period",
        [f"{key}.http.health_check.path", f"{key}.port", f"{key}.http.grace_period"],
    )


def _last_log_lines(aws: Aws, ecs: Any, task: StoppedTask) -> list[str]:
    """The last lines the task's containers wrote, from the awslogs stream ``prefix/container/task``."""
    logs = aws.client("logs")
    lines: list[str] = []
    try:
        definition = ecs.describe_task_definition(taskDefinition=task.task_definition)["taskDefinition"]
    except Exception:  # noqa: BLE001 - no definition, no logs to show
        return []
    for container in definition.get("containerDefinitions") or []:
        options = (container.get("logConfiguration") or {}).get("options") or {}
        group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
        if not group:
            continue
        stream = f"{prefix}/{container['name']}/{task.task_id}" if prefix else task.task_id
        try:
            events = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=False)[
                "events"
            ]
        except Exception:  # noqa: BLE001 - a container that wrote nothing has no stream
            continue
        lines += [e["message"] for e in events[-LOG_LINES:]]
    return lines
