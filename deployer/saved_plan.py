"""Saved plans: the change sets ``fgc diff --out`` keeps, written down so ``fgc deploy --plan`` runs
exactly what was reviewed, or nothing.

A plan file names each stack's change set (the root's: nested change sets hang from it), the
stack's status and ``LastUpdatedTime`` when it was planned, the sha256 of every template of its
stack set and its root parameters (image tags included, so an image built from source is pinned
to the content tag it was planned with). Before executing, every one of those is checked again:

* the change set still exists, ``CREATE_COMPLETE`` and ``AVAILABLE``. CloudFormation deletes a
  stack's other change sets when one is executed ("When you execute a change set, CloudFormation
  deletes all other change sets associated with the stack because they aren't valid for the
  updated stack": ExecuteChangeSet, API reference), so another deploy in between leaves none;
* the stack's status and ``LastUpdatedTime`` are those of the plan (an update without a change
  set, ``UpdateStack``, leaves the change sets but moves the stack);
* the fargate.yaml of today compiles to the same templates and parameters, the weights of each
  blue/green, canary or linear service's production rule included: they are the live ones
  (``deployer.traffic``), so traffic ECS moved after the plan was made makes the plan stale
  instead of being moved back by it.

A plan is not made while the stack's recorded weights differ from the live ones (ECS moved traffic
since the last deploy): ``fgc deploy`` records them first with an update of its own, which a saved
plan cannot make without moving the stack under its change set, and a rollback of the plan's update
would otherwise restore the old weights and send traffic to the idle target group.

A plan that fails any check is refused as a whole (:class:`StalePlan`), naming what moved; nothing
is executed. Chalice's split holds: the plan is a value, shown by ``diff`` and carried out here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import botocore.exceptions as bex
from fgc.compiler.stackset import ROOT, StackSet
from fgc.deployer import changeset, traffic
from fgc.deployer.api import Notice, carry_out
from fgc.deployer.build import Built
from fgc.deployer.execute import OnEvent
from fgc.deployer.images import Builder, OnLine, PublishedImage
from fgc.deployer.plan import Plan, StackPlan, parameter_changes, stack_plan
from fgc.deployer.polling import Poll, default_poll
from fgc.deployer.release import Release, plan_release, publish_images
from fgc.deployer.session import Aws, aws_call, error_code
from fgc.deployer.stacks import describe
from fgc.spec.errors import FgcError, UsageError

#: What a plan file says it is, and the version of its shape (bumped on any incompatible change).
KIND = "fgc-plan"
VERSION = 1
REGISTRIES, ENVIRONMENT = "registries", "environment"


class StalePlan(FgcError):
    """Something moved since the plan was made; nothing was executed (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class SavedStack:
    """One stack of a saved plan: ``role`` is ``registries`` or ``environment``.

    ``change_set_id`` is None when the stack had nothing to change (its plan was empty);
    ``status`` and ``last_updated`` are the stack's when planned (None: it did not exist)."""

    role: str
    stack_name: str
    stack_id: str | None
    status: str | None
    last_updated: str | None
    change_set_id: str | None
    change_set_name: str
    change_set_type: str
    templates: dict[str, str]
    parameters: dict[str, str]


@dataclass(frozen=True)
class SavedPlan:
    """A plan file's content (see the module docstring)."""

    app: str
    env: str | None
    region: str
    account: str
    spec_sha256: str
    made_at: str
    stacks: list[SavedStack] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps({"kind": KIND, "version": VERSION, **asdict(self)}, indent=2) + "\n"

    def stack(self, role: str) -> SavedStack | None:
        return next((s for s in self.stacks if s.role == role), None)


def file_sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load(path: str | Path) -> SavedPlan:
    """Read a plan file; a :class:`UsageError` (exit 2) when it is missing or not one of ours."""
    make = "make one with: fgc diff --out FILE"
    try:
        raw = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise UsageError(f"{path}: not a readable plan file ({err})", make) from None
    if not isinstance(raw, dict) or raw.get("kind") != KIND:
        raise UsageError(f"{path}: not an fgc plan file", make)
    if raw.get("version") != VERSION:
        raise UsageError(
            f"{path}: plan file version {raw.get('version')} (this fgc reads version {VERSION})",
            "make the plan again with this fgc: fgc diff --out FILE",
        )
    try:
        stacks = [SavedStack(**s) for s in raw["stacks"]]
        fields = {k: raw[k] for k in ("app", "env", "region", "account", "spec_sha256", "made_at")}
        return SavedPlan(**fields, stacks=stacks)
    except (KeyError, TypeError) as err:
        raise UsageError(f"{path}: a damaged plan file ({err})", make) from None


def stack_sets(built: Built, aws: Aws) -> tuple[dict[str, StackSet], list[str]]:
    """The stack sets a deploy of ``built`` plans, by role, the environment's with the registries
    stack's outputs of now; and the outputs it reads that the registries stack lacks. Those exist
    only once the deploy has created them (a first deploy, a new repository), so a plan that reads
    them would not hold."""
    outputs: dict[str, str] = {}
    sets: dict[str, StackSet] = {}
    if built.registries is not None:
        state = describe(aws, built.registries.stack_name)
        outputs = state.outputs if state else {}
        sets[REGISTRIES] = built.registries
    missing = sorted(s.output for s in built.templates.external.values() if s.output not in outputs)
    environment = built.templates.with_outputs(outputs)
    state = describe(aws, environment.stack_name)
    if state is not None and not state.is_new:
        environment = traffic.with_live_weights(aws, state.stack_id, environment)
    sets[ENVIRONMENT] = environment
    return sets, missing


def _unrecorded_traffic(aws: Aws, stack_set: StackSet) -> list[str]:
    """The weight parameters the stack holds other than the live rules forward with (see the module)."""
    state = describe(aws, stack_set.stack_name)
    if state is None or state.is_new:
        return []
    stale = traffic.stale_weights(aws, state, stack_set, traffic.routes(aws, state.stack_id, stack_set))
    return [
        f"{stack_set.stack_name}: parameter {name} is {state.parameters[name]}, the live rule {value}"
        for name, value in stale.items()
    ]


@aws_call
def save(
    built: Built, aws: Aws, spec_path: str | Path, env: str | None, *, bucket: str | None = None
) -> tuple[SavedPlan, list[Plan]]:
    """Plan ``built`` like ``fgc diff``, keep the change sets, and describe them as a :class:`SavedPlan`."""
    sets, missing = stack_sets(built, aws)
    if missing:
        holder = built.registries.stack_name if built.registries else "the registries stack"
        raise UsageError(
            f"cannot save a plan yet: {holder} has no output {', '.join(missing)} "
            "(the deploy would create it before planning the environment)",
            "deploy the repositories first (fgc push), then make the plan",
        )
    if moved := _unrecorded_traffic(aws, sets[ENVIRONMENT]):
        raise UsageError(
            "cannot save a plan yet: ECS moved traffic since the last deploy ("
            + "; ".join(moved)
            + "), and a saved plan cannot record that first",
            "run fgc deploy (it records the live weights before planning), then make the plan",
        )
    plans = plan_release(built, aws, bucket=bucket, keep=True)
    stacks = []
    for (role, stack_set), plan in zip(sets.items(), plans, strict=True):
        status, updated = _mark(aws, plan.stack_id or stack_set.stack_name)
        stacks.append(
            SavedStack(
                role=role,
                stack_name=stack_set.stack_name,
                stack_id=plan.stack_id,
                status=status,
                last_updated=updated,
                change_set_id=plan.change_set_id,
                change_set_name=plan.change_set_name,
                change_set_type=plan.change_set_type,
                templates={part.name: part.sha256 for part in stack_set.parts},
                parameters=dict(stack_set.parameters),
            )
        )
    saved = SavedPlan(
        app=built.spec.app,
        env=env,
        region=aws.region,
        account=aws.account,
        spec_sha256=file_sha256(spec_path),
        made_at=datetime.now(UTC).isoformat(timespec="seconds"),
        stacks=stacks,
    )
    return saved, plans


def _mark(aws: Aws, name_or_id: str) -> tuple[str | None, str | None]:
    """The stack's status and ``LastUpdatedTime`` (ISO), or (None, None) when there is no stack."""
    try:
        stacks = aws.client("cloudformation").describe_stacks(StackName=name_or_id)["Stacks"]
    except bex.ClientError as err:
        if error_code(err) == "ValidationError" and "does not exist" in str(err):
            return None, None
        raise
    if not stacks or stacks[0]["StackStatus"] == "DELETE_COMPLETE":
        return None, None
    updated = stacks[0].get("LastUpdatedTime")
    return stacks[0]["StackStatus"], updated.isoformat() if updated else None


@aws_call
def staleness(aws: Aws, saved: SavedPlan, built: Built, env: str | None) -> list[str]:
    """Everything that moved since ``saved`` was made (empty: the plan holds)."""
    reasons = []
    if (saved.app, saved.env) != (built.spec.app, env):
        reasons.append(f"the plan is for app {saved.app} env {saved.env}, not app {built.spec.app} env {env}")
    if (saved.region, saved.account) != (aws.region, aws.account):
        reasons.append(
            f"the plan is for account {saved.account} in {saved.region}, not {aws.account} in {aws.region}"
        )
    if reasons:
        return reasons
    sets, missing = stack_sets(built, aws)
    reasons += [f"the registries stack no longer has the output {name}" for name in missing]
    for role in sorted({*sets, *(s.role for s in saved.stacks)}):
        stack = saved.stack(role)
        if stack is None or role not in sets:
            reasons.append(f"fargate.yaml {'now has' if stack is None else 'no longer has'} the {role} stack")
            continue
        reasons += _moved_templates(stack, sets[role])
        if role == ENVIRONMENT:
            reasons += [
                f"ECS moved traffic since the plan: {line}" for line in _unrecorded_traffic(aws, sets[role])
            ]
        reasons += _moved_stack(aws, stack)
    return reasons


def _moved_templates(stack: SavedStack, stack_set: StackSet) -> list[str]:
    """What fargate.yaml of today compiles to differently from the plan, template by template."""
    now = {part.name: part.sha256 for part in stack_set.parts}
    reasons = [
        f"{stack.stack_name}: template {name} "
        + ("is new" if name not in stack.templates else "is gone" if name not in now else "changed")
        for name in sorted({*now, *stack.templates})
        if now.get(name) != stack.templates.get(name)
    ]
    parameters = dict(stack_set.parameters)
    reasons += [
        f"{stack.stack_name}: parameter {name}: {stack.parameters.get(name, '(none)')} -> "
        f"{parameters.get(name, '(none)')}"
        for name in sorted({*parameters, *stack.parameters})
        if parameters.get(name) != stack.parameters.get(name)
    ]
    return reasons


def _moved_stack(aws: Aws, stack: SavedStack) -> list[str]:
    """How the stack and its change set moved since the plan."""
    reasons = []
    status, updated = _mark(aws, stack.stack_id or stack.stack_name)
    if (status, updated) != (stack.status, stack.last_updated):
        reasons.append(
            f"{stack.stack_name} changed since the plan: {stack.status or 'no stack'} "
            f"(last updated {stack.last_updated or 'never'}) -> {status or 'no stack'} "
            f"(last updated {updated or 'never'})"
        )
    if stack.change_set_id is None:
        return reasons
    try:
        page = aws.client("cloudformation").describe_change_set(ChangeSetName=stack.change_set_id)
    except bex.ClientError as err:
        if error_code(err) not in ("ChangeSetNotFound", "ChangeSetNotFoundException"):
            raise
        return [*reasons, f"{stack.stack_name}: change set {stack.change_set_name} no longer exists"]
    if (page["Status"], page["ExecutionStatus"]) != ("CREATE_COMPLETE", "AVAILABLE"):
        reasons.append(
            f"{stack.stack_name}: change set {stack.change_set_name} is {page['Status']} / "
            f"{page['ExecutionStatus']}, not CREATE_COMPLETE / AVAILABLE"
        )
    return reasons


def plan_of(aws: Aws, stack: SavedStack, labels: Mapping[str, str]) -> Plan:
    """The saved stack's plan, read back from its change set (empty when it had none)."""
    if stack.change_set_id is None:
        root = StackPlan(stack.stack_name, ROOT, None)
        kind = stack.change_set_type
        return Plan(stack.stack_name, stack.change_set_name, None, kind, root, stack_id=stack.stack_id)
    tree = changeset.describe_tree(aws, stack.change_set_id)
    state = describe(aws, stack.stack_id or stack.stack_name)
    values = {p["ParameterKey"]: p.get("ParameterValue", "") for p in tree.get("Parameters") or []}
    return Plan(
        stack_name=stack.stack_name,
        change_set_name=stack.change_set_name,
        change_set_id=stack.change_set_id,
        change_set_type=stack.change_set_type,
        root=stack_plan(stack.stack_name, ROOT, tree, labels),
        parameters=parameter_changes(state.parameters if state and not state.is_new else None, values),
        stack_id=stack.stack_id,
        created_at=tree.get("CreationTime"),
        labels=dict(labels),
    )


@aws_call
def release_saved(
    built: Built,
    aws: Aws,
    saved: SavedPlan,
    env: str | None,
    *,
    builder: Builder | None = None,
    on_line: OnLine | None = None,
    on_image: Callable[[PublishedImage], None] | None = None,
    confirm: Callable[[Plan], bool] | None = None,
    on_event: OnEvent | None = None,
    notice: Notice | None = None,
    poll: Poll | None = None,
) -> Release:
    """Execute a saved plan: the registries change set, the images it pins, the environment's change
    set. Raises :class:`StalePlan` (before anything runs) when something moved since."""
    if reasons := staleness(aws, saved, built, env):
        raise StalePlan(
            "the saved plan no longer holds; nothing was executed:\n"
            + "\n".join(f"  - {reason}" for reason in reasons),
            "make the plan again (fgc diff --out FILE) and review it; fgc diff --discard deletes this one",
        )
    poll = poll or default_poll()
    registries = None
    outputs: dict[str, str] = {}
    if (stack := saved.stack(REGISTRIES)) is not None:
        state = describe(aws, stack.stack_name)
        registries = carry_out(
            aws, plan_of(aws, stack, {}), state, confirm=confirm, on_event=on_event, poll=poll, keep=True
        )
        if not registries.executed and not registries.plan.is_empty:
            return Release(registries)
        if registries.executed and notice:
            notice(f"{registries.stack_name}: {registries.status}")
        outputs = registries.outputs
    images = publish_images(aws, built.images, outputs, builder=builder, on_line=on_line, on_image=on_image)
    stack = saved.stack(ENVIRONMENT)
    assert stack is not None  # staleness() checked that the spec and the plan have the same stacks
    state = describe(aws, stack.stack_id or stack.stack_name)
    the_plan = plan_of(aws, stack, built.templates.labels)
    app = carry_out(aws, the_plan, state, confirm=confirm, on_event=on_event, poll=poll, keep=True)
    return Release(registries, images, app)


@aws_call
def discard_saved(aws: Aws, saved: SavedPlan, poll: Poll | None = None) -> list[str]:
    """Delete the saved plan's change sets (and a stack made only to hold a ``CREATE`` one); the
    names of the change sets that were still there."""
    poll = poll or default_poll()
    cfn = aws.client("cloudformation")
    deleted = []
    for stack in saved.stacks:
        if stack.change_set_id is None:
            continue
        try:
            cfn.describe_change_set(ChangeSetName=stack.change_set_id)
        except bex.ClientError as err:
            if error_code(err) not in ("ChangeSetNotFound", "ChangeSetNotFoundException"):
                raise
            continue
        changeset.abandon(aws, stack.change_set_id, stack.stack_id, stack.change_set_type, poll)
        deleted.append(f"{stack.stack_name}: {stack.change_set_name}")
    return deleted
