"""What a plan does to each service's traffic: a new ECS deployment (how, and about how long) or none.

Read from the plan (which resources change, and which properties of the ECS service) and
from the compiled templates' ``DeploymentConfiguration``, with CloudFormation's property
names: ``Strategy`` (``ROLLING`` when absent), ``BakeTimeInMinutes``,
``CanaryConfiguration`` (``CanaryPercent``, ``CanaryBakeTimeInMinutes``) and
``LinearConfiguration`` (``StepPercent``, ``StepBakeTimeInMinutes``); absent values take
the defaults of the ECS API reference (CanaryConfiguration: 5 % and 10 minutes;
LinearConfiguration: 10 % and 6 minutes; no bake).

The duration is an estimate, the sum of:
- :data:`TASK_START_MINUTES` for the new tasks to be placed, pull their image and start;
- the target group's health checks to call a new target healthy (interval x healthy
  threshold; ELB's defaults 30 s x 5 when the template leaves them out);
- the strategy's waits, counted as CloudFormation counts them for its 33-hour limit
  (AWS::ECS::Service LinearConfiguration / CanaryConfiguration reference): canary
  ``CanaryBakeTimeInMinutes + BakeTimeInMinutes``; linear ``StepBakeTimeInMinutes`` x the
  number of steps (``100 / StepPercent - 1`` when it divides evenly, else its floor) plus
  ``BakeTimeInMinutes``; blue/green ``BakeTimeInMinutes``; rolling none;
- the target group's deregistration delay (ELB's default 300 s) for the old tasks to drain.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fgc.compiler.naming import service_of
from fgc.compiler.stackset import StackSet
from fgc.deployer.plan import Plan, ResourceChange
from fgc.spec.models import linear_steps

SERVICE = "AWS::ECS::Service"
TASK_DEFINITION = "AWS::ECS::TaskDefinition"
TARGET_GROUP = "AWS::ElasticLoadBalancingV2::TargetGroup"

#: Minutes for new Fargate tasks to be placed, pull their image and start (an assumption).
TASK_START_MINUTES = 1.0

#: Service properties whose update makes ECS start new tasks (the UpdateService API reference:
#: "When you update any of these parameters, Amazon ECS starts new tasks with the new
#: configuration"); DesiredCount and DeploymentConfiguration alone do not.
NEW_DEPLOYMENT_PROPERTIES = frozenset(
    {
        "TaskDefinition",
        "NetworkConfiguration",
        "LoadBalancers",
        "ServiceRegistries",
        "ServiceConnectConfiguration",
        "CapacityProviderStrategy",
        "LaunchType",
        "PlatformVersion",
        "PlacementConstraints",
        "PlacementStrategies",
        "EnableExecuteCommand",
        "EnableECSManagedTags",
        "PropagateTags",
        "VolumeConfigurations",
        "VpcLatticeConfigurations",
        "ForceNewDeployment",
    }
)

#: Each strategy's name in the plan.
STRATEGY_NAMES = {"ROLLING": "rolling", "BLUE_GREEN": "blue/green", "CANARY": "canary", "LINEAR": "linear"}


@dataclass(frozen=True)
class Traffic:
    """One service's traffic under the plan.

    ``deployment`` is ``"new"`` (a new ECS deployment replaces the running tasks),
    ``"first"`` (the service is created), ``"removed"`` or ``"none"``. ``strategy`` and
    the minutes describe the deployment; ``minutes`` is None when a value the estimate
    needs is not a literal in the template.
    """

    service: str
    stack: str
    deployment: str
    strategy: str = "ROLLING"
    bake_minutes: int | None = 0
    canary_percent: float | None = None
    canary_bake_minutes: int | None = None
    step_percent: float | None = None
    step_bake_minutes: int | None = None
    minutes: int | None = None

    @property
    def how(self) -> str:
        """``canary 10 % for 5 m, bake 5 m``: the strategy and its waits, as the plan says them."""
        name = STRATEGY_NAMES.get(self.strategy, self.strategy.lower())
        if self.strategy == "ROLLING":
            return name
        if self.strategy == "CANARY":
            name = f"canary {_percent(self.canary_percent)} % for {self.canary_bake_minutes} m"
        elif self.strategy == "LINEAR":
            name = f"linear {_percent(self.step_percent)} % every {self.step_bake_minutes} m"
        return f"{name}, bake {self.bake_minutes} m"

    @property
    def text(self) -> str:
        """``starts a new ECS deployment (canary 10 % for 5 m, bake 5 m; about 12 min)``, or
        ``no new deployment``."""
        if self.deployment == "none":
            return "no new deployment"
        if self.deployment == "removed":
            return "removed: its tasks are stopped"
        about = f"; about {self.minutes} min" if self.minutes is not None else ""
        verb = (
            "starts its first ECS deployment" if self.deployment == "first" else "starts a new ECS deployment"
        )
        return f"{verb} ({self.how}{about})"


def traffic(plan: Plan, after: StackSet, before: StackSet | None = None) -> list[Traffic]:
    """Per ECS service of ``after``, what the plan does to it; then each service of ``before`` (the
    deployed stack set) whose nested stack ``after`` no longer has: removed."""
    stacks = {stack.name: stack for stack in plan.root.walk()}
    found = []
    for part in after.nested:
        stack = stacks.get(part.name)
        changes = {c.logical_id: c for c in stack.resource_changes()} if stack else {}
        resources = part.template.get("Resources", {})
        for logical_id, resource in resources.items():
            if resource.get("Type") != SERVICE:
                continue
            name = part.service or service_of(part.name) or logical_id
            kind = _deployment(changes.get(logical_id), resource, changes)
            found.append(_described(name, part.name, kind, resource.get("Properties", {}), part.template))
    gone = [part for part in (before.nested if before else []) if part.name not in after]
    removed = [
        Traffic(service_of(part.name) or part.name, part.name, "removed")
        for part in gone
        if any(r.get("Type") == SERVICE for r in part.template.get("Resources", {}).values())
    ]
    return found + removed


def _deployment(
    change: ResourceChange | None, resource: Mapping[str, Any], changes: Mapping[str, ResourceChange]
) -> str:
    """``first``, ``new`` or ``none`` for one ECS service resource."""
    if change is not None and change.action == "Add":
        return "first"
    if change is not None and (
        change.replacement == "True" or NEW_DEPLOYMENT_PROPERTIES & set(change.properties)
    ):
        return "new"
    task_definition = _ref(resource.get("Properties", {}).get("TaskDefinition"))
    replaced = changes.get(task_definition or "")
    if replaced is not None and (replaced.action == "Add" or replaced.replacement in ("True", "Conditional")):
        return "new"
    return "none"


def _described(
    name: str, stack: str, kind: str, props: Mapping[str, Any], template: Mapping[str, Any]
) -> Traffic:
    """The :class:`Traffic` of one service, its strategy and duration read from ``props``."""
    config = props.get("DeploymentConfiguration", {})
    strategy = str(_literal(config.get("Strategy"), template) or "ROLLING")
    bake = _literal(config.get("BakeTimeInMinutes"), template, 0)
    canary = config.get("CanaryConfiguration", {})
    linear = config.get("LinearConfiguration", {})
    values: dict[str, Any] = {"strategy": strategy, "bake_minutes": bake}
    waits: Any = 0
    if strategy == "CANARY":
        values["canary_percent"] = _literal(canary.get("CanaryPercent"), template, 5.0)
        values["canary_bake_minutes"] = _literal(canary.get("CanaryBakeTimeInMinutes"), template, 10)
        waits = _sum(values["canary_bake_minutes"], bake)
    elif strategy == "LINEAR":
        step = values["step_percent"] = _literal(linear.get("StepPercent"), template, 10.0)
        step_bake = values["step_bake_minutes"] = _literal(linear.get("StepBakeTimeInMinutes"), template, 6)
        steps = _linear_steps(step)
        waits = _sum(step_bake * steps if steps is not None and step_bake is not None else None, bake)
    elif strategy == "BLUE_GREEN":
        waits = bake
    if kind in ("none", "removed"):
        return Traffic(name, stack, kind, **values)
    health, drain = _target_group_minutes(props, template)
    minutes = _sum(TASK_START_MINUTES, health, waits, drain)
    return Traffic(name, stack, kind, **values, minutes=None if minutes is None else math.ceil(minutes))


def _linear_steps(step_percent: Any) -> int | None:
    """Bakes of a linear rollout (``spec.models.linear_steps``: no step bake after the last shift
    to 100 %); None for a step that is not a positive number of tenths."""
    if not isinstance(step_percent, (int, float)) or round(step_percent * 10) <= 0:
        return None
    return linear_steps(step_percent)


def _target_group_minutes(props: Mapping[str, Any], template: Mapping[str, Any]) -> tuple[Any, Any]:
    """(minutes for a new target to turn healthy, minutes for an old one to drain); 0 and 0
    for a service without a load balancer."""
    balancers = props.get("LoadBalancers") or []
    group_id = _ref(balancers[0].get("TargetGroupArn")) if balancers else None
    if not balancers:
        return 0, 0
    group = template.get("Resources", {}).get(group_id or "", {}).get("Properties")
    if group is None:  # a target group from elsewhere: ELB's defaults
        group = {}
    interval = _literal(group.get("HealthCheckIntervalSeconds"), template, 30)
    threshold = _literal(group.get("HealthyThresholdCount"), template, 5)
    delay: Any = 300
    for attribute in group.get("TargetGroupAttributes", []):
        if attribute.get("Key") == "deregistration_delay.timeout_seconds":
            delay = _literal(attribute.get("Value"), template)
    health, drain = _product(interval, threshold), _number(delay)
    return (None if health is None else health / 60), (None if drain is None else drain / 60)


def _ref(value: Any) -> str | None:
    """The logical id of ``{"Ref": id}`` or ``{"Fn::GetAtt": [id, ...]}``."""
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def _literal(value: Any, template: Mapping[str, Any], default: Any = None) -> Any:
    """A property's value: literal, or a Ref to a template parameter with a default; ``default``
    when absent; None when it is computed (a value the plan cannot know)."""
    if value is None:
        return default
    if isinstance(value, dict):
        name = _ref(value)
        parameter = template.get("Parameters", {}).get(name or "", {})
        if "Default" not in parameter:
            return None
        value = parameter["Default"]
    number = _number(value)
    return number if number is not None else value


def _number(value: Any) -> int | float | None:
    """``5``, ``"5"`` -> 5; ``"2.5"`` -> 2.5; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    try:
        number = float(str(value))
    except ValueError:
        return None
    return int(number) if number == int(number) else number


def _sum(*values: Any) -> Any:
    return None if any(_number(v) is None for v in values) else sum(_number(v) or 0 for v in values)


def _product(*values: Any) -> Any:
    return None if any(_number(v) is None for v in values) else math.prod(_number(v) or 0 for v in values)


def _percent(value: Any) -> str:
    """``10.0`` -> ``10``, ``2.5`` -> ``2.5``."""
    number = _number(value)
    return "?" if number is None else f"{number:g}"
