"""ECS's ListServiceDeployments and DescribeServiceDeployments, which moto lacks, and UpdateService
starting a blue/green, canary or linear deployment in the background (see `ecs.start_deployment`).

They answer from the records `rollouts` keeps for each blue/green, canary or linear deployment,
in the shapes of botocore's ECS model (``ServiceDeploymentBrief``, ``ServiceDeployment``), so a
client polling a rollout sees its status and lifecycle stage change as ECS shows them
("ListServiceDeployments": newest first, filtered by ``status`` and ``createdAt``;
"DescribeServiceDeployments": unknown ARNs come back as failures with reason MISSING).
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.ecs.exceptions import ServiceNotFoundException
from moto.ecs.models import ecs_backends
from moto.ecs.responses import EC2ContainerServiceResponse

from . import ecs
from .rollouts import STRATEGIES, public, strategy_of

_BRIEF = (
    "serviceDeploymentArn",
    "serviceArn",
    "clusterArn",
    "startedAt",
    "createdAt",
    "finishedAt",
    "status",
    "statusReason",
)


def _records(service: Any) -> list[dict[str, Any]]:
    return list(getattr(service, "fgc_service_deployments", []))


def list_service_deployments(response: Any) -> ActionResult:
    backend = ecs_backends[response.current_account][response.region]
    cluster = str(response._get_param("cluster") or "default").split("/")[-1]
    name = str(response._get_param("service") or "").split("/")[-1]
    service: Any = backend.services.get(f"{cluster}:{name}")
    if service is None:
        raise ServiceNotFoundException()
    wanted = response._get_param("status") or []
    created = response._get_param("createdAt") or {}
    found = []
    for record in _records(service):
        if wanted and record["status"] not in wanted:
            continue
        if created.get("after") and record["createdAt"].timestamp() < float(created["after"]):
            continue
        if created.get("before") and record["createdAt"].timestamp() > float(created["before"]):
            continue
        brief = {k: record[k] for k in _BRIEF if record.get(k) is not None}
        brief["targetServiceRevisionArn"] = record["targetServiceRevision"]["arn"]
        found.append(brief)
    return ActionResult({"serviceDeployments": found[: int(response._get_param("maxResults") or 20)]})


def describe_service_deployments(response: Any) -> ActionResult:
    backend = ecs_backends[response.current_account][response.region]
    by_arn = {r["serviceDeploymentArn"]: r for s in backend.services.values() for r in _records(s)}
    arns = response._get_param("serviceDeploymentArns") or []
    return ActionResult(
        {
            "serviceDeployments": [public(by_arn[a]) for a in arns if a in by_arn],
            "failures": [{"arn": a, "reason": "MISSING"} for a in arns if a not in by_arn],
        }
    )


def update_service(response: Any) -> ActionResult:
    """A new deployment of a traffic-shifting service runs as `rollouts` models it (``desiredCount``
    applies to it; other settings of the same call are not modelled on this path); anything else is
    moto's own UpdateService."""
    backend = ecs_backends[response.current_account][response.region]
    cluster = str(response._get_param("cluster") or "default").split("/")[-1]
    service: Any = backend.services.get(
        f"{cluster}:{str(response._get_param('service') or '').split('/')[-1]}"
    )
    if service is None or strategy_of(service.deployment_configuration) not in STRATEGIES:
        return _MOTO_UPDATE_SERVICE(response)
    task_definition = response._get_param("taskDefinition")
    if not response._get_param("forceNewDeployment") and (
        not task_definition
        or backend.describe_task_definition(task_definition).arn == service.task_definition
    ):
        return _MOTO_UPDATE_SERVICE(response)
    if response._get_param("desiredCount") is not None:
        service.desired_count = int(response._get_param("desiredCount"))
    ecs.start_deployment(service, task_definition)
    return ActionResult({"service": service})


_MOTO_UPDATE_SERVICE = EC2ContainerServiceResponse.update_service


def install() -> None:
    """Teach moto's ECS front these operations (idempotent)."""
    EC2ContainerServiceResponse.update_service = update_service  # type: ignore[method-assign,assignment]
    EC2ContainerServiceResponse.list_service_deployments = list_service_deployments  # type: ignore[attr-defined]
    EC2ContainerServiceResponse.describe_service_deployments = describe_service_deployments  # type: ignore[attr-defined]
