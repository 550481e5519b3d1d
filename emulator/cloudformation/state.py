"""What the engine remembers: stacks, their resources and events, and change sets.

Plain data with a lock around the registry; behaviour lives in `engine.py` / `planner.py`.
"""

from __future__ import annotations

import json
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

_clock_lock = threading.Lock()
_last_time = datetime.now(UTC)


def now() -> datetime:
    """Strictly increasing UTC time, so events sort by timestamp the way they happened."""
    global _last_time
    with _clock_lock:
        current = datetime.now(UTC)
        _last_time = max(current, _last_time + timedelta(microseconds=1000))
        return _last_time


@dataclass
class Event:
    stack: Stack
    logical_id: str
    resource_type: str
    status: str
    physical_id: str = ""
    reason: str | None = None
    properties: str | None = None
    event_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    timestamp: datetime = field(default_factory=now)

    def to_api(self) -> dict[str, Any]:
        return {
            "StackId": self.stack.stack_id,
            "EventId": self.event_id,
            "StackName": self.stack.name,
            "LogicalResourceId": self.logical_id,
            "PhysicalResourceId": self.physical_id,
            "ResourceType": self.resource_type,
            "Timestamp": self.timestamp,
            "ResourceStatus": self.status,
            "ResourceStatusReason": self.reason,
            "ResourceProperties": self.properties,
        }


@dataclass
class Resource:
    """One provisioned resource: its template definition, resolved properties and backing model."""

    logical_id: str
    resource_type: str
    definition: dict[str, Any]
    properties: dict[str, Any]
    physical_id: str = ""
    model: Any = None
    status: str = "CREATE_IN_PROGRESS"
    reason: str | None = None
    updated: datetime = field(default_factory=now)
    # the StackResourceDrift of the last drift detection that checked it (drift.py)
    drift: dict[str, Any] | None = None

    @property
    def retained(self) -> bool:
        return self.definition.get("DeletionPolicy") in ("Retain", "RetainExceptOnCreate")

    @property
    def retained_on_replace(self) -> bool:
        return self.definition.get("UpdateReplacePolicy") == "Retain"


@dataclass
class Stack:
    stack_id: str
    name: str
    account: str
    region: str
    status: str = "REVIEW_IN_PROGRESS"
    reason: str | None = None
    template: dict[str, Any] = field(default_factory=dict)
    template_body: str = "{}"
    parameters: dict[str, str] = field(default_factory=dict)
    capabilities: list[str] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    description: str | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    resources: dict[str, Resource] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    created: datetime = field(default_factory=now)
    updated: datetime | None = None
    deleted: datetime | None = None
    parent_id: str | None = None
    root_id: str | None = None
    change_set_id: str | None = None
    disable_rollback: bool = False
    # "The following resource(s) failed to ...", quoted by a parent's "Embedded stack" reason
    failure: str = ""
    # what the stack looked like before the operation in flight, for rollback
    previous: tuple[dict[str, Any], str, dict[str, str]] | None = None
    # the last drift detection's result (drift.py)
    drift_status: str = "NOT_CHECKED"
    drift_checked: datetime | None = None
    lock: threading.RLock = field(default_factory=threading.RLock)

    @property
    def in_progress(self) -> bool:
        return self.status.endswith("_IN_PROGRESS")

    def event(self, logical_id: str, resource_type: str, status: str, **kwargs: Any) -> Event:
        event = Event(self, logical_id, resource_type, status, **kwargs)
        with self.lock:
            self.events.append(event)
        return event

    def set_status(self, status: str, reason: str | None = None) -> None:
        """Change the stack status and record the stack-level event for it."""
        self.status, self.reason = status, reason
        if status.startswith("UPDATE") or status.startswith("ROLLBACK"):
            self.updated = now()
        self.event(self.name, "AWS::CloudFormation::Stack", status, physical_id=self.stack_id, reason=reason)


@dataclass
class Change:
    """One resource change of a change set, as DescribeChangeSet shows it.

    ``details`` carry their property values (``Target.Path``, ``BeforeValue``, ...); the
    contexts are the resource's properties before and after as JSON strings. Both are shown
    only when DescribeChangeSet is asked ``IncludePropertyValues`` (API Reference: "If true,
    the returned changes include detailed changes in the property values").
    """

    action: str
    logical_id: str
    resource_type: str
    physical_id: str | None = None
    replacement: str | None = None
    scope: list[str] = field(default_factory=list)
    details: list[dict[str, Any]] = field(default_factory=list)
    nested_change_set_id: str | None = None
    # what happens to the old physical resource: Delete / Retain / ReplaceAndDelete / ReplaceAndRetain
    policy_action: str | None = None
    before_context: str | None = None
    after_context: str | None = None
    # a REVERT_DRIFT change set's: the resource's drift status when the change set was made
    drift_status: str | None = None

    def to_api(self, include_values: bool = False) -> dict[str, Any]:
        change: dict[str, Any] = {
            "PolicyAction": self.policy_action,
            "Action": self.action,
            "LogicalResourceId": self.logical_id,
            "PhysicalResourceId": self.physical_id,
            "ResourceType": self.resource_type,
            "Scope": self.scope,
            "Details": self.details if include_values else _without_values(self.details),
            "ChangeSetId": self.nested_change_set_id,
        }
        if self.action == "Modify":
            change["Replacement"] = self.replacement
        if include_values:
            change["BeforeContext"] = self.before_context
            change["AfterContext"] = self.after_context
        if self.drift_status:
            change["ResourceDriftStatus"] = self.drift_status
        return {"Type": "Resource", "ResourceChange": change}


#: What a ResourceTargetDefinition holds only when property values are asked for.
VALUE_KEYS = ("Path", "BeforeValue", "AfterValue", "AttributeChangeType")


def _without_values(details: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One detail per property and cause, as DescribeChangeSet gives them without values."""
    found: dict[str, dict[str, Any]] = {}
    for detail in details:
        target = {k: v for k, v in detail["Target"].items() if k not in VALUE_KEYS}
        shown = {**detail, "Target": target}
        found.setdefault(json.dumps(shown, sort_keys=True), shown)
    return list(found.values())


@dataclass
class ChangeSet:
    change_set_id: str
    name: str
    stack: Stack
    change_set_type: str
    template: dict[str, Any]
    template_body: str
    parameters: dict[str, str]
    capabilities: list[str] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)
    description: str | None = None
    status: str = "CREATE_PENDING"
    execution_status: str = "UNAVAILABLE"
    reason: str | None = None
    changes: list[Change] = field(default_factory=list)
    include_nested: bool = False
    parent_id: str | None = None
    root_id: str | None = None
    nested: dict[str, ChangeSet] = field(default_factory=dict)
    created: datetime = field(default_factory=now)
    # ImportExistingResources: what the plan adopts, logical id -> the existing resource's name
    import_existing: bool = False
    imports: dict[str, str] = field(default_factory=dict)
    # DeploymentMode REVERT_DRIFT: the resources whose drift the execution puts back (planner.py)
    revert_drift: bool = False
    reverts: set[str] = field(default_factory=set)


def make_arn(kind: str, region: str, account: str, name: str) -> str:
    return f"arn:aws:cloudformation:{region}:{account}:{kind}/{name}/{uuid.uuid4()}"


class Registry:
    """All stacks and change sets of one emulator, findable by name or ARN."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.stacks: dict[str, Stack] = {}
        self.change_sets: dict[str, ChangeSet] = {}
        self.detections: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        with self.lock:
            self.stacks.clear()
            self.change_sets.clear()
            self.detections.clear()

    def add_stack(self, stack: Stack) -> None:
        with self.lock:
            self.stacks[stack.stack_id] = stack

    def holder(self, resource_type: str, physical_id: str, region: str) -> Stack | None:
        """The live stack that holds the resource `physical_id` of `resource_type`, if any."""
        with self.lock:
            stacks = [s for s in self.stacks.values() if s.region == region and s.status != "DELETE_COMPLETE"]
        for stack in stacks:
            for resource in list(stack.resources.values()):
                if (
                    resource.resource_type == resource_type
                    and resource.physical_id == physical_id
                    and resource.model is not None
                ):
                    return stack
        return None

    def live_stack(self, name_or_id: str, region: str) -> Stack | None:
        """A stack by ARN (even deleted), or by name among the not-deleted stacks of the region."""
        with self.lock:
            if name_or_id in self.stacks:
                return self.stacks[name_or_id]
            for stack in self.stacks.values():
                if stack.name == name_or_id and stack.region == region and stack.status != "DELETE_COMPLETE":
                    return stack
        return None
