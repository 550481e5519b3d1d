"""Running stack operations and following them to the end.

Every operation here returns once the root stack settles, having passed each
new event to ``on_event`` so the CLI can show progress.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

import botocore.exceptions as bex
from fgc.deployer.events import EventTail, Failure, StackEvent, root_cause
from fgc.deployer.polling import Poll
from fgc.deployer.session import Aws, translate
from fgc.deployer.stacks import StackState, stack_name_of
from fgc.spec.errors import FgcError

OnEvent = Callable[[StackEvent], None]


@dataclass
class Outcome:
    """How a followed operation ended: the final state (None when the stack is gone) and its events."""

    state: StackState | None
    events: list[StackEvent] = field(default_factory=list)
    failure: Failure | None = None


def follow(
    aws: Aws,
    stack_id: str,
    since: datetime | None,
    poll: Poll,
    on_event: OnEvent | None = None,
    labels: dict[str, str] | None = None,
    seen: Iterable[str] = (),
) -> Outcome:
    """Tail a running operation of ``stack_id`` until it settles.

    When AWS stops answering first (throttling beyond the retries, the network), the
    operation itself goes on in CloudFormation: the error says so, and how to watch it.
    """
    tail = EventTail(aws, stack_id, since, labels, seen=seen)
    try:
        state = tail.follow(poll.fresh(), on_event)
    except (bex.BotoCoreError, bex.ClientError) as err:
        raise still_running(translate(err), stack_id) from err
    return Outcome(state, tail.events, root_cause(tail.events))


def still_running(err: Exception, stack_id: str) -> Exception:
    """``err`` (an :class:`FgcError` of the same kind) saying the operation goes on without fgc."""
    if not isinstance(err, FgcError):
        return err
    return type(err)(
        f"{err.message}; fgc stopped following {stack_name_of(stack_id)}, "
        "but CloudFormation goes on with the operation",
        f"watch it with `fgc status` (or the CloudFormation console); {err.hint or 'try again later'}",
    )


def history(aws: Aws, stack_id: str) -> tuple[datetime | None, list[str]]:
    """The newest event's time and the ids on the first page: what following a new operation skips."""
    events = aws.client("cloudformation").describe_stack_events(StackName=stack_id)["StackEvents"]
    return (events[0]["Timestamp"] if events else None), [e["EventId"] for e in events]


def wait_running(
    aws: Aws,
    state: StackState,
    poll: Poll,
    on_event: OnEvent | None = None,
    labels: dict[str, str] | None = None,
) -> Outcome:
    """Wait for an operation someone else started; its new events only."""
    since, seen = history(aws, state.stack_id)
    return follow(aws, state.stack_id, since, poll, on_event, labels, seen)


def execute(
    aws: Aws,
    change_set_id: str,
    stack_id: str,
    since: datetime,
    poll: Poll,
    on_event: OnEvent | None = None,
    labels: dict[str, str] | None = None,
) -> Outcome:
    """Execute a change set and follow it; events before ``since`` (the change set's creation) are history."""
    aws.client("cloudformation").execute_change_set(ChangeSetName=change_set_id)
    return follow(aws, stack_id, since, poll, on_event, labels)


def delete_stack(
    aws: Aws,
    state: StackState,
    poll: Poll,
    on_event: OnEvent | None = None,
    labels: dict[str, str] | None = None,
) -> Outcome:
    """Delete a stack and follow the deletion."""
    return _start_and_follow(aws, state, "delete_stack", poll, on_event, labels)


def continue_rollback(
    aws: Aws,
    state: StackState,
    poll: Poll,
    on_event: OnEvent | None = None,
    labels: dict[str, str] | None = None,
) -> Outcome:
    """Resume a rollback that failed (``UPDATE_ROLLBACK_FAILED``) and follow it."""
    return _start_and_follow(aws, state, "continue_update_rollback", poll, on_event, labels)


def _start_and_follow(
    aws: Aws,
    state: StackState,
    operation: str,
    poll: Poll,
    on_event: OnEvent | None,
    labels: dict[str, str] | None,
) -> Outcome:
    """Start a stack operation (a CloudFormation client method) and follow its events from now on."""
    since, seen = history(aws, state.stack_id)
    getattr(aws.client("cloudformation"), operation)(StackName=state.stack_id)
    return follow(aws, state.stack_id, since, poll, on_event, labels, seen)
