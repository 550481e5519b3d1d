"""``fgc status``: the stack set's states, its services, outputs and the last events, as values."""

from __future__ import annotations

from dataclasses import dataclass, field

from deployer.events import StackEvent, stack_event
from deployer.plan import NESTED_STACK
from deployer.services import ServiceInfo, services
from deployer.session import Aws, aws_call
from deployer.stacks import StackState, require, resources


@dataclass(frozen=True)
class NestedStatus:
    """A nested stack as its parent sees it."""

    stack: str
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
def status(aws: Aws, stack_name: str, last_events: int = 10) -> Status:
    """Read the stack set's current state (raises when it does not exist)."""
    state = require(aws, stack_name)
    inventory = resources(aws, state.stack_id)
    nested = [
        NestedStatus(r.stack, r.logical_id, r.status) for r in inventory if r.resource_type == NESTED_STACK
    ]
    return Status(
        state,
        nested,
        services(aws, state.stack_id, inventory=inventory),
        recent_events(aws, state, last_events),
    )


def recent_events(aws: Aws, state: StackState, count: int) -> list[StackEvent]:
    """The root stack's newest ``count`` events, oldest first."""
    raw = aws.client("cloudformation").describe_stack_events(StackName=state.stack_id)["StackEvents"][:count]
    return [stack_event(e, "root", state.stack_id, 0) for e in reversed(raw)]
