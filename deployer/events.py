"""Following a stack operation through the events of the root and every nested stack.

Events are read newest first, page by page, until one already seen (by
``EventId``) or older than the operation's start; nested stacks are found from
their parent's events and polled only while their parent says they are busy
(plus one last look once they settle), so a quiet stack set costs few calls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fgc.deployer.plan import NESTED_STACK
from fgc.deployer.polling import Poll
from fgc.deployer.session import Aws
from fgc.deployer.stacks import TERMINAL, StackState, describe, stack_name_of

#: Reasons that only report a consequence of another failure.
CONSEQUENTIAL = ("Resource creation cancelled", "Resource update cancelled", "Embedded stack", "cancelled")


@dataclass(frozen=True)
class StackEvent:
    """One CloudFormation event, labelled with the nested stack it belongs to."""

    event_id: str
    stack: str
    stack_id: str
    depth: int
    logical_id: str
    resource_type: str
    status: str
    reason: str | None
    timestamp: datetime
    physical_id: str | None = None
    #: For an event of a nested stack resource in its parent: that stack's template name.
    nested: str | None = None

    @property
    def is_stack_status(self) -> bool:
        """An event about the stack itself (not one of its resources)."""
        return self.resource_type == NESTED_STACK and self.physical_id == self.stack_id

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")


@dataclass(frozen=True)
class Failure:
    """The resource that made an operation fail: where it is, what it is, and why."""

    stack: str
    logical_id: str
    resource_type: str
    status: str
    reason: str
    #: The failed resource's physical id, when it had one (an ECS service that never stabilized).
    physical_id: str | None = None

    def __str__(self) -> str:
        return f"{self.stack}/{self.logical_id} ({self.resource_type}) {self.status}: {self.reason}"


def stack_event(raw: Mapping[str, Any], stack: str, stack_id: str, depth: int) -> StackEvent:
    """A :class:`StackEvent` from one ``StackEvents`` entry of the stack labelled ``stack``."""
    return StackEvent(
        event_id=raw["EventId"],
        stack=stack,
        stack_id=stack_id,
        depth=depth,
        logical_id=raw["LogicalResourceId"],
        resource_type=raw.get("ResourceType", ""),
        status=raw["ResourceStatus"],
        reason=raw.get("ResourceStatusReason"),
        timestamp=raw["Timestamp"],
        physical_id=raw.get("PhysicalResourceId"),
    )


def named(event: StackEvent, labels: Mapping[str, str]) -> StackEvent:
    """The event with ``nested`` set when it is about a nested stack resource of its stack."""
    if event.resource_type != NESTED_STACK or event.is_stack_status:
        return event
    return replace(event, nested=labels.get(event.logical_id, event.logical_id))


def root_cause(events: Iterable[StackEvent]) -> Failure | None:
    """The deepest, earliest failed resource whose reason is its own, not a consequence.

    CloudFormation reports a nested failure at every level ("Embedded stack ... was
    not successfully created") and cancels siblings; the useful line is the leaf.
    """
    failed = [e for e in events if e.failed and not e.is_stack_status]
    candidates = [e for e in failed if _own(e)] or failed
    if not candidates:
        return None
    return _failure(min(candidates, key=lambda e: (-e.depth, e.timestamp)))


def rollback_blocker(events: Sequence[StackEvent]) -> Failure | None:
    """The deepest, latest failure of its own once a rollback began: what ``UPDATE_ROLLBACK_FAILED``
    needs fixed (the root cause is what failed the update, which is usually something else)."""
    start = next((n for n, e in enumerate(events) if e.status.endswith("ROLLBACK_IN_PROGRESS")), None)
    own = [e for e in events[start:] if e.failed and _own(e)] if start is not None else []
    return _failure(max(own, key=lambda e: (e.depth, e.timestamp))) if own else None


def latest_failure(
    aws: Aws, stack_id: str, labels: Mapping[str, str], label: str | None = None, depth: int = 0
) -> Failure | None:
    """The newest failed resource of a stack set, followed down into the nested stack that failed.

    For a stack found stuck, with no events followed: one ``DescribeStackEvents`` per level."""
    raw = aws.client("cloudformation").describe_stack_events(StackName=stack_id)["StackEvents"]
    for event in (stack_event(e, label or stack_name_of(stack_id), stack_id, depth) for e in raw):
        if not event.failed or event.is_stack_status:
            continue
        child = event.physical_id or ""
        if event.resource_type == NESTED_STACK and ":stack/" in child:
            event = named(event, labels)
            return latest_failure(aws, child, labels, event.nested, depth + 1) or _failure(event)
        if _own(event):
            return _failure(event)
    return None


def _own(event: StackEvent) -> bool:
    """A failure with a reason of its own, not a nested stack's or a consequence of another one."""
    return event.resource_type != NESTED_STACK and not _consequential(event.reason)


def _failure(event: StackEvent) -> Failure:
    where = event.nested or event.logical_id
    return Failure(
        event.stack, where, event.resource_type, event.status, event.reason or "", event.physical_id
    )


def _consequential(reason: str | None) -> bool:
    return not reason or any(text in reason for text in CONSEQUENTIAL)


@dataclass
class _Watched:
    label: str
    depth: int
    active: bool = True
    last_look: bool = False


class EventTail:
    """New events of a stack set since ``since``, in time order, each seen once."""

    def __init__(
        self,
        aws: Aws,
        stack_id: str,
        since: datetime | None,
        labels: Mapping[str, str] | None = None,
        seen: Iterable[str] = (),
    ) -> None:
        self._cfn = aws.client("cloudformation")
        self._aws = aws
        self.root_id = stack_id
        self.since = since
        self._labels = dict(labels or {})
        self._watched: dict[str, _Watched] = {stack_id: _Watched(stack_name_of(stack_id), 0)}
        self._seen: set[str] = set(seen)
        self.events: list[StackEvent] = []

    def poll(self) -> list[StackEvent]:
        """One look at every stack that may have news; the new events, oldest first."""
        new: list[StackEvent] = []
        read: set[str] = set()
        pending = [sid for sid, w in self._watched.items() if w.active]
        while pending:  # a nested stack found in this round is read in this round too
            for stack_id in pending:
                watched = self._watched[stack_id]
                read.add(stack_id)
                if watched.last_look:
                    watched.active = False
                found = self._read(stack_id, watched)
                for event in sorted(found, key=lambda e: e.timestamp):
                    self._track_nested(event)
                new.extend(found)
            pending = [sid for sid, w in self._watched.items() if w.active and sid not in read]
        new.sort(key=lambda e: e.timestamp)
        self.events.extend(new)
        return new

    def _read(self, stack_id: str, watched: _Watched) -> list[StackEvent]:
        found: list[StackEvent] = []
        token = None
        while True:
            page = self._cfn.describe_stack_events(
                StackName=stack_id, **({"NextToken": token} if token else {})
            )
            for raw in page["StackEvents"]:
                if raw["EventId"] in self._seen or (self.since and raw["Timestamp"] < self.since):
                    return found
                self._seen.add(raw["EventId"])
                found.append(named(stack_event(raw, watched.label, stack_id, watched.depth), self._labels))
            token = page.get("NextToken")
            if not token:
                return found

    def _track_nested(self, event: StackEvent) -> None:
        """Start (or stop) watching a nested stack as its parent reports it busy (or settled)."""
        child = event.physical_id or ""
        if event.resource_type != NESTED_STACK or event.is_stack_status or ":stack/" not in child:
            return
        busy = event.status.endswith("_IN_PROGRESS")
        watched = self._watched.get(child)
        if watched is None:
            label = self._labels.get(event.logical_id, event.logical_id)
            parent = self._watched[event.stack_id]
            if parent.depth > 0:
                label = f"{parent.label}/{label}"
            self._watched[child] = _Watched(label, parent.depth + 1, active=True, last_look=not busy)
        else:
            watched.active, watched.last_look = True, not busy

    def root_status(self) -> str | None:
        """The root's latest stack-level status seen in its events."""
        for event in reversed(self.events):
            if event.stack_id == self.root_id and event.is_stack_status:
                return event.status
        return None

    def follow(
        self,
        poll: Poll,
        on_event: Callable[[StackEvent], None] | None = None,
        check_every: int = 15,
    ) -> StackState | None:
        """Poll until the root stack settles; its final state (None once deleted).

        The root's own terminal event ends the wait; a ``DescribeStacks`` confirms it
        (and, every ``check_every`` quiet polls, guards against a missed event).
        """
        quiet = 0
        while True:
            new = self.poll()
            for event in new:
                if on_event:
                    on_event(event)
            quiet = 0 if new else quiet + 1
            status = self.root_status()
            if (status in TERMINAL and new) or quiet >= check_every:
                quiet = 0
                state = describe(self._aws, self.root_id)
                if state is None or state.status in TERMINAL:
                    # The last events of nested stacks may trail the root's.
                    for event in self.poll():
                        if on_event:
                            on_event(event)
                    return state if state and state.status != "DELETE_COMPLETE" else None
            poll.sleep()
