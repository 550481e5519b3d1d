"""Traffic where ECS put it: the live routing of a stack set's blue/green, canary and linear services.

ECS shifts traffic by rewriting the forward weights of a service's production listener rule; the
next CloudFormation update of that rule would put the template's weights back and send traffic
to the idle target group (issue 15). So before a change set is created the deployer reads, for
each service ``compiler.traffic.live_rules`` lists, the live rule (the nested stack's physical
ids through ``DescribeStackResources``, then ``elbv2 DescribeRules``) and passes its weights as
the root parameter values (:func:`with_live_weights`): an update that changes anything else
leaves the traffic where it is.

CloudFormation's own rollback of a failed update restores the rule's previous properties; if those
were the weights from before ECS's last shift, the rollback itself would move the traffic to the idle
group. So ``fgc deploy`` first records the live weights (:func:`stale_weights`, :func:`record`: an
update of those parameters alone, which leaves the traffic as it is), and only then plans.

And while ECS is still shifting or baking a deployment of such a service (``ListServiceDeployments``
with a running status), a new deploy would start another one on top of it: :func:`running` finds
those, :func:`wait_settled` waits for them with a progress report per change of stage.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fgc.compiler.stackset import StackSet
from fgc.compiler.traffic import MAX_WEIGHT, LiveRule, live_rules, weight_values
from fgc.deployer import changeset
from fgc.deployer.execute import Outcome, execute
from fgc.deployer.polling import Poll
from fgc.deployer.services import cluster_of
from fgc.deployer.session import Aws
from fgc.deployer.stacks import StackState

#: ServiceDeployment statuses of a deployment ECS is still carrying out (ECS API reference,
#: ServiceDeploymentStatus).
RUNNING = ("PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS")


@dataclass(frozen=True)
class Route:
    """One traffic-shifting service as deployed: its rule's and target groups' ARNs, its ECS service."""

    rule: LiveRule
    listener_rule: str
    target_group: str
    alternate_target_group: str
    service_arn: str | None

    @property
    def cluster(self) -> str:
        """The cluster named in the service's (long format) ARN, else ECS's default one."""
        return cluster_of(self.service_arn or "", [])


@dataclass(frozen=True)
class RunningDeployment:
    """An ECS deployment of a service still in progress, as ``DescribeServiceDeployments`` shows it."""

    service: str
    arn: str
    status: str
    stage: str | None
    #: Percent of production traffic ECS has asked for on the new revision (None: not said).
    production_percent: float | None
    #: BLUE_GREEN, CANARY, LINEAR or ROLLING (``deploymentConfiguration.strategy``; None: not said).
    strategy: str | None = None
    #: When ECS started it (``startedAt``; ``createdAt`` while it is still PENDING).
    started: datetime | None = None

    def __str__(self) -> str:
        parts = [self.status] + ([self.stage] if self.stage else [])
        if self.production_percent is not None:
            parts.append(f"{self.production_percent:g}% of production traffic on the new tasks")
        return f"{self.service}: ECS deployment {', '.join(parts)}"


def routes(aws: Aws, stack_id: str, stack_set: StackSet) -> list[Route]:
    """The deployed routing of ``stack_set``'s traffic-shifting services (none not deployed yet)."""
    rules = live_rules(stack_set)
    if not rules:
        return []
    cloudformation = aws.client("cloudformation")
    nested = _physical_ids(cloudformation, stack_id)
    found = []
    for rule in rules:
        child = nested.get(rule.stack, ("", ""))[0]
        if not child:
            continue
        inside = _physical_ids(cloudformation, child)
        listener_rule, primary, alternate = (
            inside.get(logical, ("", ""))[0]
            for logical in (rule.listener_rule, rule.target_group, rule.alternate_target_group)
        )
        if listener_rule and primary and alternate:
            service = next((p for p, kind in inside.values() if kind == "AWS::ECS::Service"), None)
            found.append(Route(rule, listener_rule, primary, alternate, service))
    return found


def _physical_ids(cloudformation: Any, stack: str) -> dict[str, tuple[str, str]]:
    """Logical id -> (physical id, type) of one stack's resources."""
    listed = cloudformation.describe_stack_resources(StackName=stack)["StackResources"]
    return {r["LogicalResourceId"]: (r.get("PhysicalResourceId") or "", r["ResourceType"]) for r in listed}


def live_weights(aws: Aws, found: list[Route]) -> dict[str, tuple[int, int]]:
    """Service -> (primary, alternate) weights its production rule forwards with now."""
    elbv2 = aws.client("elbv2")
    weights = {}
    for route in found:
        pair = rule_weights(elbv2, route.listener_rule, route.target_group, route.alternate_target_group)
        if sum(pair) and all(0 <= w <= MAX_WEIGHT for w in pair):
            weights[route.rule.service] = pair
    return weights


def rule_weights(elbv2: Any, rule_arn: str, primary: str, alternate: str) -> tuple[int, int]:
    """The (primary, alternate) weights a listener rule forwards with (``elbv2 DescribeRules``)."""
    [rule] = elbv2.describe_rules(RuleArns=[rule_arn])["Rules"]
    by_group = forward_weights(rule.get("Actions") or [])
    return by_group.get(primary, 0), by_group.get(alternate, 0)


def forward_weights(actions: list[dict[str, Any]]) -> dict[str, int]:
    """Target group ARN -> weight of a rule's forward action (a plain forward has one, weight 1)."""
    for action in actions:
        if action.get("Type") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups")
        if groups:
            return {g["TargetGroupArn"]: int(g.get("Weight", 1)) for g in groups}
        if action.get("TargetGroupArn"):
            return {action["TargetGroupArn"]: 1}
    return {}


def with_live_weights(aws: Aws, stack_id: str, stack_set: StackSet) -> StackSet:
    """``stack_set`` with its root weight parameters set to what the live rules forward with."""
    live = live_weights(aws, routes(aws, stack_id, stack_set))
    if not live:
        return stack_set
    return dataclasses.replace(stack_set, parameters=weight_values(stack_set, live))


def stale_weights(aws: Aws, state: StackState, stack_set: StackSet, found: list[Route]) -> dict[str, str]:
    """The deployed root weight parameters whose value is not what the live rule (of ``found``,
    the stack's :func:`routes`) forwards with.

    Only the one-parameter-per-weight form: the positions in a ``TrafficWeights`` list belong to
    the new stack set's services, which need not be the deployed ones."""
    live = weight_values(stack_set, live_weights(aws, found))
    names = {
        parameter.name
        for rule in live_rules(stack_set)
        for parameter in (rule.primary_weight, rule.alternate_weight)
        if parameter.index is None
    }
    return {
        name: live[name]
        for name in sorted(names)
        if name in state.parameters and state.parameters[name] != live[name]
    }


def record(
    aws: Aws, state: StackState, values: dict[str, str], poll: Poll, labels: dict[str, str] | None = None
) -> Outcome:
    """Update the stack's weight parameters to ``values``, template and every other value kept:
    CloudFormation rewrites the rules with the weights they already forward with."""
    cloudformation = aws.client("cloudformation")
    created = cloudformation.create_change_set(
        StackName=state.name,  # CreateChangeSet takes a name, not an ARN
        ChangeSetName=changeset.change_set_name(),
        ChangeSetType="UPDATE",
        UsePreviousTemplate=True,
        Parameters=[
            {"ParameterKey": key, "ParameterValue": values[key]}
            if key in values
            else {"ParameterKey": key, "UsePreviousValue": True}
            for key in state.parameters
        ],
        Capabilities=changeset.CAPABILITIES,
        IncludeNestedStacks=True,
        Description="fgc: the live traffic weights",
    )
    first = changeset.wait_created(aws, created["Id"], poll)
    return execute(aws, created["Id"], state.stack_id, first["CreationTime"], poll, None, labels)


def running(aws: Aws, found: list[Route]) -> list[RunningDeployment]:
    """The ECS deployments of these services still shifting traffic, baking or rolling back."""
    ecs = aws.client("ecs")
    return [
        deployment
        for route in found
        if route.service_arn is not None
        for deployment in running_of(ecs, route.rule.service, route.cluster, route.service_arn)
    ]


def running_of(ecs: Any, name: str, cluster: str, service_arn: str) -> list[RunningDeployment]:
    """One service's ECS deployments with a :data:`RUNNING` status (``ListServiceDeployments``,
    then ``DescribeServiceDeployments``); ``name`` is the service's name in fargate.yaml."""
    listed = ecs.list_service_deployments(cluster=cluster, service=service_arn, status=list(RUNNING))[
        "serviceDeployments"
    ]
    arns = [d["serviceDeploymentArn"] for d in listed]
    if not arns:
        return []
    return [
        RunningDeployment(
            name,
            deployment["serviceDeploymentArn"],
            deployment.get("status", ""),
            deployment.get("lifecycleStage"),
            (deployment.get("targetServiceRevision") or {}).get("requestedProductionTrafficWeight"),
            (deployment.get("deploymentConfiguration") or {}).get("strategy"),
            deployment.get("startedAt") or deployment.get("createdAt"),
        )
        for deployment in ecs.describe_service_deployments(serviceDeploymentArns=arns)["serviceDeployments"]
    ]


def wait_settled(
    aws: Aws, found: list[Route], poll: Poll, report: Callable[[RunningDeployment], None]
) -> None:
    """Wait until none of these services has an ECS deployment running; ``report`` each new state."""
    shown: set[str] = set()
    poll = poll.fresh()
    while deployments := running(aws, found):
        for deployment in deployments:
            if str(deployment) not in shown:
                shown.add(str(deployment))
                report(deployment)
        poll.sleep()
