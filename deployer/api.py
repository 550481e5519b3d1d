"""The deployer's public operations: ``plan`` (what ``fgc diff`` shows) and ``deploy``.

Both take a compiled :class:`StackSet` and an :class:`Aws` session and return
values; questions for the user (confirm the plan, re-create a rolled-back stack)
and progress reports go through callbacks so the CLI decides how to ask and show.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import botocore.exceptions as bex
from fgc.compiler.stackset import ROOT, StackSet
from fgc.deployer import adoption, artifacts, changeset, traffic
from fgc.deployer.deployed import template as deployed_template
from fgc.deployer.errors import DeployFailed, Interrupted, Recovery
from fgc.deployer.events import Failure, StackEvent, latest_failure, rollback_blocker
from fgc.deployer.execute import OnEvent, Outcome, continue_rollback, delete_stack, execute, wait_running
from fgc.deployer.plan import NESTED_STACK, Plan, StackPlan, parameter_changes, stack_plan
from fgc.deployer.polling import Poll, default_poll
from fgc.deployer.replacements import Deployed, without_false_replacements
from fgc.deployer.session import Aws, aws_call
from fgc.deployer.stacks import FAILED, StackState, describe, stuck

Notice = Callable[[str], None]
UNTOUCHED = "interrupted before execution: the change set was deleted and nothing changed"
KEPT = "interrupted before execution: nothing changed, and the saved plan's change sets are kept"


@dataclass
class DeployResult:
    """What a deploy did: ``executed`` is False for an empty or declined plan."""

    plan: Plan
    executed: bool
    status: str | None
    outputs: dict[str, str] = field(default_factory=dict)
    events: list[StackEvent] = field(default_factory=list)

    @property
    def stack_name(self) -> str:
        return self.plan.stack_name


@aws_call
def plan(
    stack_set: StackSet,
    aws: Aws,
    *,
    bucket: str | None = None,
    poll: Poll | None = None,
    state: StackState | None | Literal["unknown"] = "unknown",
    revert_drift: bool = False,
) -> Plan:
    """Upload the nested templates, create a change set, and describe it as a :class:`Plan`.

    The change set is left in place for :func:`deploy` to execute; an empty plan's
    change set is deleted at once (``plan.change_set_id`` is then None). ``state``
    (None: no such stack) saves a ``DescribeStacks`` when the caller has just made one.
    An ``UPDATE`` is planned with the weights the live production rules of blue/green, canary
    and linear services forward with (``traffic.with_live_weights``), not the template defaults.
    ``revert_drift`` makes the change set drift-aware (``changeset.deployment_mode``).
    """
    poll = poll or default_poll()
    if state == "unknown":
        state = describe(aws, stack_set.stack_name)
    labels = stack_set.labels
    if state and (refusal := stuck(state, _blocker(aws, state, labels))):
        raise refusal
    kind = "CREATE" if state is None or state.is_new else "UPDATE"
    if kind == "UPDATE" and state:
        stack_set = traffic.with_live_weights(aws, state.stack_id, stack_set)
    parameters, root_url = _stage(aws, stack_set, bucket)
    name = changeset.change_set_name()
    empty = Plan(
        stack_set.stack_name,
        name,
        None,
        kind,
        StackPlan(stack_set.stack_name, ROOT, None),
        stack_id=state.stack_id if state else None,
        labels=labels,
    )
    created = changeset.create(aws, stack_set, parameters, kind, name, root_url, revert_drift)
    if created is None:
        return empty
    try:
        first = changeset.wait_created(aws, created["Id"], poll)
        if (error := changeset.failure(first)) or first["Status"] == "FAILED":
            changeset.abandon(aws, created["Id"], created["StackId"], kind, poll)
            if error:
                raise error
            return empty
        tree = changeset.describe_tree(aws, created["Id"], first)
    except KeyboardInterrupt:
        changeset.abandon(aws, created["Id"], created["StackId"], kind, poll)
        raise Interrupted(UNTOUCHED) from None
    changed = parameter_changes(state.parameters if kind == "UPDATE" and state else None, parameters, tree)
    root = stack_plan(stack_set.stack_name, ROOT, tree, labels)
    deployed = _deployed_templates(aws, root, created["StackId"]) if kind == "UPDATE" else None
    result = Plan(
        stack_name=stack_set.stack_name,
        change_set_name=created["Name"],
        change_set_id=created["Id"],
        change_set_type=kind,
        root=without_false_replacements(root, stack_set, deployed, [p.name for p in changed]),
        parameters=changed,
        stack_id=created["StackId"],
        created_at=first.get("CreationTime"),
        labels=labels,
    )
    held = adoption.held_names(aws, stack_set, result)
    if held:
        changeset.abandon(aws, created["Id"], created["StackId"], kind, poll)
        raise adoption.refusal(held, stack_set.stack_name)
    return result


def _deployed_templates(aws: Aws, root: StackPlan, stack_id: str) -> Deployed:
    """The deployed template of the root or of a nested stack the plan changes, read once
    each and only when the no-false-replacement proof asks (None when it cannot be read)."""
    ids = {root.logical_id: stack_id}
    ids |= {
        c.logical_id: c.physical_id for c in root.changes if c.resource_type == NESTED_STACK and c.physical_id
    }

    @functools.cache
    def read(logical_id: str) -> dict[str, Any] | None:
        if logical_id not in ids:
            return None
        try:
            return deployed_template(aws, ids[logical_id])
        except (bex.ClientError, ValueError):
            return None

    return read


def _blocker(aws: Aws, state: StackState, labels: dict[str, str]) -> Failure | None:
    """For a stack whose rollback failed, the resource that failed it (the stack's own reason
    names only the nested stack)."""
    return latest_failure(aws, state.stack_id, labels) if state.status == "UPDATE_ROLLBACK_FAILED" else None


def _stage(aws: Aws, stack_set: StackSet, bucket: str | None) -> tuple[dict[str, str], str | None]:
    """Upload what CloudFormation fetches; the root's parameters, and its URL when too big to inline.

    A stack set of one small template (the registries stack) needs no bucket at all."""
    root = stack_set.root
    inline = len(root.body.encode()) <= artifacts.MAX_INLINE_BODY
    if not stack_set.nested and inline:
        return dict(stack_set.parameters), None
    name = artifacts.bucket_name(aws, bucket)
    artifacts.ensure_bucket(aws, name)
    artifacts.upload(aws, name, stack_set.nested)
    url = artifacts.artifacts_url(aws, name)
    root_url = None
    if not inline:
        artifacts.upload(aws, name, [root])
        root_url = f"{url}/{root.key}"
    return {"ArtifactsUrl": url, **stack_set.parameters}, root_url


@aws_call
def discard(aws: Aws, plan: Plan) -> None:
    """Delete the plan's change set, and the stack a ``CREATE`` made to hold it (``fgc diff``
    leaves nothing behind)."""
    if plan.change_set_id:
        changeset.abandon(aws, plan.change_set_id, plan.stack_id, plan.change_set_type, default_poll())
        plan.change_set_id = None


@aws_call
def deploy(
    stack_set: StackSet,
    aws: Aws,
    *,
    bucket: str | None = None,
    confirm: Callable[[Plan], bool] | None = None,
    recreate: Callable[[StackState], bool] | None = None,
    resume_rollback: bool = False,
    wait: bool = True,
    on_event: OnEvent | None = None,
    notice: Notice | None = None,
    poll: Poll | None = None,
    revert_drift: bool = False,
) -> DeployResult:
    """Bring the deployed stack set to ``stack_set``: recover a stuck stack, plan, confirm, execute, follow.

    ``confirm(plan)`` is asked for every non-empty plan (None: yes); ``recreate(state)``
    whether a stack left in ``ROLLBACK_COMPLETE`` may be deleted and created anew
    (None: no, raise). ``wait=False`` refuses to wait for an operation already running, or for an
    ECS deployment still shifting a service's traffic or baking (``notice`` reports the waits). The
    live production weights of blue/green, canary and linear services are recorded and planned
    with (see ``traffic``). ``revert_drift``: the change set also puts back what was changed
    outside CloudFormation.
    Raises :class:`DeployFailed` (with ``.result``) when the stack rolls back.
    """
    poll = poll or default_poll()
    say = notice or (lambda _: None)
    state = _ready(
        aws,
        describe(aws, stack_set.stack_name),
        _Recovery(recreate, resume_rollback, wait, on_event, say, poll, stack_set.labels),
        stack_set,
    )
    the_plan = plan(stack_set, aws, bucket=bucket, poll=poll, state=state, revert_drift=revert_drift)
    return carry_out(aws, the_plan, state, confirm=confirm, on_event=on_event, poll=poll)


def carry_out(
    aws: Aws,
    the_plan: Plan,
    state: StackState | None,
    *,
    confirm: Callable[[Plan], bool] | None = None,
    on_event: OnEvent | None = None,
    poll: Poll | None = None,
    keep: bool = False,
) -> DeployResult:
    """Confirm ``the_plan`` (``state``: the stack as it was planned on), execute its change set and
    follow it to the end.

    A declined or interrupted plan's change set is deleted, unless ``keep`` (a saved plan, whose
    change sets stay for ``fgc deploy --plan`` or ``fgc diff --discard``)."""
    poll = poll or default_poll()
    if the_plan.is_empty:
        return DeployResult(the_plan, False, state.status if state else None, state.outputs if state else {})

    def drop() -> None:
        if not keep:
            discard(aws, the_plan)

    try:
        approved = confirm(the_plan) if confirm else True
    except KeyboardInterrupt:
        drop()
        raise Interrupted(KEPT if keep else UNTOUCHED) from None
    except BaseException:
        drop()
        raise
    if not approved:
        drop()
        return DeployResult(the_plan, False, state.status if state else None)
    assert the_plan.change_set_id and the_plan.stack_id and the_plan.created_at
    try:
        outcome = execute(
            aws,
            the_plan.change_set_id,
            the_plan.stack_id,
            the_plan.created_at,
            poll,
            on_event,
            the_plan.labels,
        )
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted: CloudFormation goes on with the {the_plan.change_set_type.lower()} "
            f"of {the_plan.stack_name}",
            recovery=Recovery.WATCH,
        ) from None
    the_plan.change_set_id = None
    result = DeployResult(
        the_plan,
        True,
        outcome.state.status if outcome.state else None,
        outcome.state.outputs if outcome.state else {},
        outcome.events,
    )
    if result.status is None or result.status in FAILED:
        raise _failed(the_plan.stack_name, outcome, result)
    return result


@dataclass
class _Recovery:
    """How :func:`deploy` may get a stack out of a stuck state, and how it reports doing so."""

    recreate: Callable[[StackState], bool] | None
    resume_rollback: bool
    wait: bool
    on_event: OnEvent | None
    say: Notice
    poll: Poll
    labels: dict[str, str]


def _ready(aws: Aws, state: StackState | None, how: _Recovery, stack_set: StackSet) -> StackState | None:
    """Get the stack out of any state a change set cannot start from, or raise why not; then
    let the ECS deployments still shifting traffic finish (or refuse, without ``wait``)."""
    if state is None:
        return None
    if state.in_progress and how.wait:
        how.say(f"{state.name} is busy ({state.status}); waiting for it to finish")
        state = wait_running(aws, state, how.poll, how.on_event, how.labels).state
    if state and state.status == "UPDATE_ROLLBACK_FAILED" and how.resume_rollback:
        how.say(f"continuing the rollback of {state.name}")
        outcome = continue_rollback(aws, state, how.poll, how.on_event, how.labels)
        if outcome.state and outcome.state.status != "UPDATE_ROLLBACK_COMPLETE":
            raise _failed(state.name, outcome, None)
        state = outcome.state
    if state and state.status == "ROLLBACK_COMPLETE" and how.recreate and how.recreate(state):
        how.say(f"deleting {state.name} (ROLLBACK_COMPLETE) to create it again")
        outcome = delete_stack(aws, state, how.poll, how.on_event, how.labels)
        if outcome.state is not None:
            raise _failed(state.name, outcome, None)
        state = None
    if state and not state.is_new:
        found = traffic.routes(aws, state.stack_id, stack_set)
        _settle_rollouts(aws, state, how, found)
        state = _record_live_weights(aws, state, how, stack_set, found)
    return state


def _record_live_weights(
    aws: Aws, state: StackState, how: _Recovery, stack_set: StackSet, found: list[traffic.Route]
) -> StackState:
    """Make the stack's weight parameters what the live rules of ``found`` forward with (see
    ``traffic``), so that the rollback of a failed update puts back the weights ECS set, not older ones."""
    stale = traffic.stale_weights(aws, state, stack_set, found)
    if not stale:
        return state
    values = ", ".join(f"{name} {value}" for name, value in stale.items())
    how.say(f"{state.name}: recording the live traffic weights ({values}) before planning")
    outcome = traffic.record(aws, state, stale, how.poll, how.labels)
    if outcome.state is None or outcome.state.status != "UPDATE_COMPLETE":
        raise _failed(state.name, outcome, None)
    return outcome.state


def _settle_rollouts(aws: Aws, state: StackState, how: _Recovery, found: list[traffic.Route]) -> None:
    """A deploy started while ECS shifts or bakes a deployment of a service of ``found`` would start
    another on top of it, from traffic weights that are still moving: wait for it, or refuse
    without ``wait``."""
    busy = traffic.running(aws, found)
    if not busy:
        return
    if not how.wait:
        raise DeployFailed(
            f"{'; '.join(map(str, busy))}: a deploy now would start another deployment on top of it",
            recovery=Recovery.WAIT,
        )
    how.say(f"{state.name}: waiting for the ECS deployments in progress to finish")
    traffic.wait_settled(aws, found, how.poll, lambda deployment: how.say(str(deployment)))


def _failed(stack_name: str, outcome: Outcome, result: DeployResult | None) -> DeployFailed:
    """The error for an operation that ended badly, naming the resource that caused it."""
    status = outcome.state.status if outcome.state else "DELETE_COMPLETE"
    cause = (
        str(outcome.failure)
        if outcome.failure
        else (outcome.state and outcome.state.reason) or "no reason given"
    )
    if status == "UPDATE_ROLLBACK_FAILED" and (blocker := rollback_blocker(outcome.events)):
        cause += f"; then the rollback failed: {blocker}"
    return DeployFailed(
        f"{stack_name} failed ({status}): {cause}",
        failure=outcome.failure,
        result=result,
        recovery=RECOVERY_AFTER.get(status),
    )


#: The way out of each state a failed operation can leave the stack in.
RECOVERY_AFTER = {
    "ROLLBACK_COMPLETE": Recovery.RECREATE,
    "UPDATE_ROLLBACK_COMPLETE": Recovery.REDEPLOY,
    "UPDATE_ROLLBACK_FAILED": Recovery.CONTINUE_ROLLBACK,
    "DELETE_FAILED": Recovery.DESTROY,
}
