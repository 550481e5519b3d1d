"""A stack's real state and what it means for the next operation.

CloudFormation is the state (no local state file): every command starts by
asking it, and each stuck state gets a message that names the way out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions as bex
from fgc.deployer.errors import DeployFailed, Recovery, StackStuck
from fgc.deployer.session import Aws, error_code

#: Statuses in which a stack stays until someone acts.
TERMINAL = frozenset(
    {
        "CREATE_COMPLETE",
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "DELETE_COMPLETE",
        "DELETE_FAILED",
        "UPDATE_COMPLETE",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
        "IMPORT_ROLLBACK_FAILED",
    }
)
#: Final statuses that mean the last operation did not do what was asked.
FAILED = frozenset(
    {
        "CREATE_FAILED",
        "ROLLBACK_COMPLETE",
        "ROLLBACK_FAILED",
        "DELETE_FAILED",
        "UPDATE_FAILED",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_FAILED",
        "IMPORT_ROLLBACK_COMPLETE",
        "IMPORT_ROLLBACK_FAILED",
    }
)


@dataclass(frozen=True)
class StackState:
    """What ``DescribeStacks`` says about one stack."""

    name: str
    stack_id: str
    status: str
    reason: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def in_progress(self) -> bool:
        """An operation is running (``REVIEW_IN_PROGRESS`` is a stack that was never created)."""
        return self.status.endswith("_IN_PROGRESS") and self.status != "REVIEW_IN_PROGRESS"

    @property
    def is_new(self) -> bool:
        """No resources exist yet: the next change set is a ``CREATE``."""
        return self.status == "REVIEW_IN_PROGRESS"


def state_from(raw: dict[str, Any]) -> StackState:
    """A :class:`StackState` from one ``Stacks`` entry."""
    return StackState(
        name=raw["StackName"],
        stack_id=raw["StackId"],
        status=raw["StackStatus"],
        reason=raw.get("StackStatusReason"),
        parameters={p["ParameterKey"]: p.get("ParameterValue", "") for p in raw.get("Parameters", [])},
        outputs={o["OutputKey"]: o.get("OutputValue", "") for o in raw.get("Outputs", [])},
    )


def describe(aws: Aws, name_or_id: str) -> StackState | None:
    """The stack's state, or None when no such stack exists."""
    try:
        stacks = aws.client("cloudformation").describe_stacks(StackName=name_or_id)["Stacks"]
    except bex.ClientError as err:
        if error_code(err) == "ValidationError" and "does not exist" in str(err):
            return None
        raise
    return state_from(stacks[0]) if stacks else None


def stack_name_of(stack_id: str) -> str:
    """``arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`` -> ``<name>``; a name stays as is."""
    return stack_id.split(":stack/", 1)[1].split("/", 1)[0] if ":stack/" in stack_id else stack_id


def stuck(state: StackState, blocker: object = None) -> StackStuck | None:
    """The error to raise before planning on a stack in ``state``, or None when it can be planned.

    Its ``recovery`` is the way out. ``ROLLBACK_COMPLETE`` and ``UPDATE_ROLLBACK_FAILED``
    are recoverable by deploy itself (re-create, continue the rollback); the caller
    decides whether to.
    ``blocker`` (the resource that failed the rollback, when known) replaces the
    stack's own reason, which only names the nested stack.
    """
    name, status = state.name, state.status
    if status == "ROLLBACK_COMPLETE":
        return StackStuck(
            f"{name} failed its first create and was rolled back (ROLLBACK_COMPLETE); "
            "it must be deleted before it can be created again",
            Recovery.RECREATE,
            status,
        )
    if status == "UPDATE_ROLLBACK_FAILED":
        return StackStuck(
            f"{name} could not roll back its last update (UPDATE_ROLLBACK_FAILED): "
            f"{blocker or state.reason or 'no reason given'}",
            Recovery.CONTINUE_ROLLBACK,
            status,
        )
    if status in ("DELETE_FAILED", "ROLLBACK_FAILED"):
        return StackStuck(
            f"{name} could not be deleted ({status}): {state.reason or 'no reason given'}",
            Recovery.DESTROY,
            status,
        )
    if state.in_progress:
        return StackStuck(
            f"{name} is busy ({status}); CloudFormation allows one operation at a time",
            Recovery.WAIT,
            status,
        )
    return None


@dataclass(frozen=True)
class StackResource:
    """One resource of a stack set, with the nested stack it lives in."""

    stack: str
    stack_id: str
    logical_id: str
    resource_type: str
    physical_id: str
    status: str


def resources(
    aws: Aws, stack_id: str, labels: Mapping[str, str] | None = None, label: str | None = None
) -> list[StackResource]:
    """Every resource of the stack and, recursively, of its nested stacks.

    Each is labelled with its stack: the root by its name, a nested stack by ``labels``
    (logical id -> template name), else by its logical id."""
    labels = labels or {}
    label = label or stack_name_of(stack_id)
    paginator = aws.client("cloudformation").get_paginator("list_stack_resources")
    found: list[StackResource] = []
    for page in paginator.paginate(StackName=stack_id):
        for res in page["StackResourceSummaries"]:
            found.append(
                StackResource(
                    label,
                    stack_id,
                    res["LogicalResourceId"],
                    res["ResourceType"],
                    res.get("PhysicalResourceId", ""),
                    res["ResourceStatus"],
                )
            )
    for res in list(found):
        if res.resource_type == "AWS::CloudFormation::Stack" and ":stack/" in res.physical_id:
            found.extend(resources(aws, res.physical_id, labels, labels.get(res.logical_id, res.logical_id)))
    return found


def require(aws: Aws, stack_name: str) -> StackState:
    """The stack's state (``REVIEW_IN_PROGRESS`` included: it exists, holding only change
    sets, and ``fgc destroy`` can delete it); a clear error when there is no such stack."""
    state = describe(aws, stack_name)
    if state is None:
        raise DeployFailed(f"stack {stack_name} does not exist in {aws.region}", recovery=Recovery.DEPLOY)
    return state
