"""``fgc destroy``: what goes, what stays (Retain: registries, log groups), delete, follow, purge.

What is kept is read from the deployed templates' ``DeletionPolicy``, not from
the local spec, so the list is true for what is really there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import botocore.exceptions as bex
from fgc.compiler.stackset import StackSet
from fgc.deployer.adoption import NAME_PROPERTIES
from fgc.deployer.deployed import template
from fgc.deployer.errors import DeployFailed, Recovery
from fgc.deployer.execute import OnEvent, delete_stack, wait_running
from fgc.deployer.plan import NESTED_STACK
from fgc.deployer.polling import Poll, default_poll
from fgc.deployer.session import Aws, aws_call, error_code
from fgc.deployer.stacks import StackResource, StackState, describe, require, resources

RETAINED = ("Retain", "RetainExceptOnCreate")


@dataclass
class Teardown:
    """What deleting the stack set removes, and what it leaves in place."""

    state: StackState
    deleted: list[StackResource] = field(default_factory=list)
    kept: list[StackResource] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Destroyed:
    """What a destroy did: ``purged`` lists the kept resources deleted because of ``--purge``."""

    teardown: Teardown | None  # None for a purge of what a stack that is gone left behind
    purged: list[StackResource] = field(default_factory=list)
    left: list[StackResource] = field(default_factory=list)


@aws_call
def teardown(aws: Aws, stack_name: str, labels: dict[str, str] | None = None) -> Teardown:
    """List the stack set's resources, split by their ``DeletionPolicy``; ``labels`` names the stacks."""
    state = require(aws, stack_name)
    inventory = resources(aws, state.stack_id, labels)
    policies: dict[str, dict[str, Any]] = {}
    result = Teardown(state, labels=dict(labels or {}))
    for res in inventory:
        if res.resource_type == NESTED_STACK:
            continue
        if res.stack_id not in policies:
            policies[res.stack_id] = _template_resources(aws, res.stack_id)
        policy = policies[res.stack_id].get(res.logical_id, {}).get("DeletionPolicy", "Delete")
        (result.kept if policy in RETAINED else result.deleted).append(res)
    return result


def _template_resources(aws: Aws, stack_id: str) -> dict[str, Any]:
    return template(aws, stack_id).get("Resources", {})


@aws_call
def destroy(
    aws: Aws,
    plan: Teardown,
    *,
    purge: bool = False,
    on_event: OnEvent | None = None,
    notice: Callable[[str], None] | None = None,
    poll: Poll | None = None,
) -> Destroyed:
    """Delete the stack set and wait; with ``purge``, also delete what was retained."""
    poll = poll or default_poll()
    state = plan.state
    if state.in_progress:
        if notice:
            notice(f"{state.name} is busy ({state.status}); waiting for it to finish")
        state = wait_running(aws, state, poll, on_event, plan.labels).state or state
    outcome = delete_stack(aws, state, poll, on_event, plan.labels)
    if outcome.state is not None:
        cause = str(outcome.failure) if outcome.failure else outcome.state.reason
        raise DeployFailed(
            f"{state.name} could not be deleted ({outcome.state.status}): {cause}",
            failure=outcome.failure,
            recovery=Recovery.DESTROY,
        )
    done = Destroyed(plan)
    if purge:
        for res in plan.kept:
            (done.purged if _purge(aws, res) else done.left).append(res)
    return done


@aws_call
def leftovers(aws: Aws, stack_set: StackSet) -> list[StackResource]:
    """The retained resources of ``stack_set`` that exist under their fixed names (log groups
    ``/ecs/<stack>/<service>``, repositories ``<registry>``), found by name rather than through
    the stack: what ``--purge`` deletes when the stack is gone or never finished creating."""
    found = []
    for part in stack_set.parts:
        for logical_id, resource in part.template.get("Resources", {}).items():
            prop = NAME_PROPERTIES.get(resource.get("Type", ""))
            name = resource.get("Properties", {}).get(prop) if prop else None
            retained = resource.get("DeletionPolicy") in RETAINED
            if retained and isinstance(name, str) and _exists(aws, resource["Type"], name):
                found.append(StackResource(part.label, "", logical_id, resource["Type"], name, "RETAINED"))
    return found


def _exists(aws: Aws, resource_type: str, name: str) -> bool:
    if resource_type == "AWS::Logs::LogGroup":
        groups = aws.client("logs").describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        return any(group["logGroupName"] == name for group in groups)
    try:
        aws.client("ecr").describe_repositories(repositoryNames=[name])
    except bex.ClientError as err:
        if error_code(err) == "RepositoryNotFoundException":
            return False
        raise
    return True


@aws_call
def purge(aws: Aws, found: list[StackResource]) -> Destroyed:
    """Delete retained resources whose stack is gone (see :func:`leftovers`)."""
    done = Destroyed(None)
    for res in found:
        (done.purged if _purge(aws, res) else done.left).append(res)
    return done


@aws_call
def gone(aws: Aws, stack_name: str) -> bool:
    """True when no stack of that name exists (deleted, or never created)."""
    return describe(aws, stack_name) is None


@aws_call
def deployed(aws: Aws, stack_names: list[str]) -> list[StackState]:
    """The stacks among ``stack_names`` that exist (a stack only planned, never created, does not)."""
    states = (describe(aws, name) for name in stack_names)
    return [state for state in states if state is not None and not state.is_new]


def _purge(aws: Aws, res: StackResource) -> bool:
    """Delete one retained resource; False for a type fgc does not purge."""
    try:
        if res.resource_type == "AWS::ECR::Repository":
            aws.client("ecr").delete_repository(repositoryName=res.physical_id, force=True)
        elif res.resource_type == "AWS::Logs::LogGroup":
            aws.client("logs").delete_log_group(logGroupName=res.physical_id)
        else:
            return False
    except bex.ClientError as err:
        if error_code(err) not in ("RepositoryNotFoundException", "ResourceNotFoundException"):
            raise
    return True
