"""``fgc status``: the stack set's states, its services, outputs and the last events, as values."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

import botocore.exceptions as bex
from fgc.deployer import traffic
from fgc.deployer.events import StackEvent, named, stack_event
from fgc.deployer.plan import NESTED_STACK
from fgc.deployer.services import ServiceInfo, services, spec_name
from fgc.deployer.session import DENIED_CODES, Aws, aws_call, error_code
from fgc.deployer.stacks import StackResource, StackState, require, resources


@dataclass(frozen=True)
class NestedStatus:
    """A nested stack as its parent sees it: ``name`` is its template name (``service-api``)."""

    name: str
    logical_id: str
    status: str


@dataclass
class Status:
    """Everything ``fgc status`` shows about one stack set."""

    state: StackState
    nested: list[NestedStatus] = field(default_factory=list)
    services: list[ServiceInfo] = field(default_factory=list)
    events: list[StackEvent] = field(default_factory=list)


@aws_call
def status(aws: Aws, stack_name: str, last_events: int = 10, labels: dict[str, str] | None = None) -> Status:
    """Read the stack set's current state (raises when it does not exist).

    ``labels`` (nested stack logical id -> label, ``StackSet.labels``) names the stacks."""
    labels = labels or {}
    state = require(aws, stack_name)
    inventory = resources(aws, state.stack_id, labels)
    nested = [
        NestedStatus(labels.get(r.logical_id, r.logical_id), r.logical_id, r.status)
        for r in inventory
        if r.resource_type == NESTED_STACK
    ]
    found = services(aws, state.stack_id, inventory=inventory)
    for info in found:
        read_traffic(aws, info)
    return Status(state, nested, found, recent_events(aws, state, last_events, labels, inventory))


def read_traffic(aws: Aws, info: ServiceInfo) -> None:
    """Fill in where a traffic-shifting service's production traffic goes and the ECS deployment
    still running (``deployer.traffic``'s readers). A caller without elasticloadbalancing:DescribeRules
    or ecs:ListServiceDeployments still gets the rest of the status: what it may not read stays None."""
    shifting = info.traffic
    if shifting is None:
        return
    weights = _unless_denied(
        shifting.unread,
        "elasticloadbalancing",
        lambda: traffic.rule_weights(
            aws.client("elbv2"), shifting.production_rule, shifting.primary, shifting.alternate
        ),
    )
    if weights is not None:
        shifting.primary_weight, shifting.alternate_weight = weights
    # ListServiceDeployments takes the service's name or ARN (ECS API reference)
    shifting.deployments = _unless_denied(
        shifting.unread,
        "ecs",
        lambda: traffic.running_of(aws.client("ecs"), spec_name(info), info.cluster, info.name),
    )


T = TypeVar("T")


def _unless_denied(unread: list[str], iam_service: str, read: Callable[[], T]) -> T | None:
    """``read()``, or None with the permission it lacked added to ``unread`` when AWS denies it."""
    try:
        return read()
    except bex.ClientError as err:
        if error_code(err) not in DENIED_CODES:
            raise
        unread.append(f"{iam_service}:{err.operation_name}")
        return None


def recent_events(
    aws: Aws,
    state: StackState,
    count: int,
    labels: dict[str, str] | None = None,
    inventory: Sequence[StackResource] = (),
) -> list[StackEvent]:
    """The newest ``count`` events of the root and its nested stacks (from ``inventory``), oldest first.

    What failed or is busy is usually inside a nested stack, so the root's own events
    ("Embedded stack ... was not successfully updated") are not enough. One
    ``DescribeStackEvents`` page (the newest events) per stack."""
    labels = labels or {}
    stacks = [(state.stack_id, state.name, 0)] + [
        (r.physical_id, labels.get(r.logical_id, r.logical_id), 1)
        for r in inventory
        if r.resource_type == NESTED_STACK and ":stack/" in r.physical_id
    ]
    cfn = aws.client("cloudformation")
    events = [
        named(stack_event(raw, label, stack_id, depth), labels)
        for stack_id, label, depth in stacks
        for raw in cfn.describe_stack_events(StackName=stack_id)["StackEvents"][:count]
    ]
    return sorted(events, key=lambda e: e.timestamp)[-count:] if count > 0 else []
