"""Stack operations: create, update, rollback and delete, with per-resource events.

Every operation converges a stack onto a target (template, parameters): resources are visited in
dependency order and created, updated in place or replaced; whatever the target no longer holds is
deleted in a cleanup phase once everything else succeeded. A failure stops the forward pass and the
stack rolls back by converging onto what it was before - which is also how nested stacks update in
place and roll back with their parent. Operations run in a background thread, so the stack really
passes through `*_IN_PROGRESS` the way the deployer observes it on AWS.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from ..faults import Faults
from . import provider, templates
from .errors import ValidationError
from .intrinsics import Evaluator
from .provider import ResourceFailure
from .schemas import create_only_properties
from .state import ChangeSet, Registry, Resource, Stack, make_arn, now
from .templates import STACK_TYPE

log = logging.getLogger(__name__)

# the *_FAILED status an operation that crashed ends in, by the status it was in
_FAILED_PREFIXES = ("UPDATE_ROLLBACK", "ROLLBACK", "CREATE", "DELETE", "UPDATE")
REPLACING = "Requested update requires the creation of a new physical resource; hence creating one."


class _StepFailed(Exception):
    """Stops a forward pass: `logical_id` failed and its event has been recorded."""

    def __init__(self, logical_id: str) -> None:
        super().__init__(logical_id)
        self.logical_id = logical_id


@dataclass
class _Operation:
    """What one converge pass did, so a rollback can undo exactly that."""

    rollback: bool = False
    replaced: dict[str, Resource] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    change_set: ChangeSet | None = None

    @property
    def phase(self) -> str:
        return "rollback" if self.rollback else "forward"


def pseudo_parameters(stack: Stack) -> dict[str, Any]:
    return {
        "AWS::AccountId": stack.account,
        "AWS::Region": stack.region,
        "AWS::StackName": stack.name,
        "AWS::StackId": stack.stack_id,
        "AWS::Partition": "aws",
        "AWS::URLSuffix": "amazonaws.com",
        "AWS::NotificationARNs": [],
    }


def stack_output(child: Stack, attribute: str, logical_id: str) -> Any:
    """`Fn::GetAtt Child.Outputs.X` on a nested stack resource."""
    key = attribute.removeprefix("Outputs.")
    for output in child.outputs:
        if output["OutputKey"] == key:
            return output["OutputValue"]
    raise ResourceFailure(
        f"Template error: resource {logical_id} does not have output {key} (Fn::GetAtt {attribute})"
    )


class Engine:
    def __init__(self, registry: Registry, faults: Faults) -> None:
        self.registry = registry
        self.faults = faults

    # -- evaluation against a live stack ---------------------------------------------------------
    def evaluator(self, stack: Stack, template: dict[str, Any], parameters: dict[str, str]) -> Evaluator:
        def ref(logical_id: str) -> Any:
            return self._live(stack, logical_id).physical_id

        def getatt(logical_id: str, attribute: str) -> Any:
            resource = self._live(stack, logical_id)
            if resource.resource_type == STACK_TYPE:
                return stack_output(resource.model, attribute, logical_id)
            return provider.attribute(resource.model, resource.resource_type, logical_id, attribute)

        typed = templates.typed_parameters(template, parameters, stack.account, stack.region)
        return Evaluator(template, typed, pseudo_parameters(stack), ref, getatt, self.export_value)

    def _live(self, stack: Stack, logical_id: str) -> Resource:
        resource = stack.resources.get(logical_id)
        if resource is None or resource.model is None:
            raise ResourceFailure(f"Resource {logical_id} is not available (it does not exist or failed)")
        return resource

    def export_value(self, name: str) -> Any:
        with self.registry.lock:
            stacks = list(self.registry.stacks.values())
        for stack in stacks:
            if stack.status == "DELETE_COMPLETE":
                continue
            for output in stack.outputs:
                if output.get("ExportName") == name:
                    return output["OutputValue"]
        raise ResourceFailure(f"No export named {name} found.")

    # -- running operations in the background ----------------------------------------------------
    def spawn(self, stack: Stack, work: Any, *args: Any) -> None:
        def run() -> None:
            try:
                work(stack, *args)
            except Exception as err:  # noqa: BLE001 - an engine bug must not leave a stack in progress forever
                log.exception("emulator engine failure on %s", stack.name)
                if stack.in_progress:
                    failed = next(f"{p}_FAILED" for p in _FAILED_PREFIXES if stack.status.startswith(p))
                    stack.set_status(failed, f"Internal emulator error: {type(err).__name__}: {err}")

        threading.Thread(target=run, name=f"cfn-{stack.name}", daemon=True).start()

    def _hold(self, stack: Stack) -> None:
        seconds = self.faults.hold_seconds(stack.name, stack.parent_id is None)
        if seconds:
            time.sleep(seconds)

    # -- create ----------------------------------------------------------------------------------
    def run_create(self, stack: Stack, change_set: ChangeSet | None = None, begun: bool = False) -> bool:
        """Create every resource; on failure roll back to ROLLBACK_COMPLETE. True when created.

        `begun`: the API call already put the stack in progress (so no client ever sees the old
        status after its call returned)."""
        if not begun:
            self.begin(stack, "CREATE_IN_PROGRESS")
        self._hold(stack)
        op = _Operation(change_set=change_set)
        if self._converge(stack, stack.template, stack.parameters, op):
            stack.set_status("CREATE_COMPLETE")
            return True
        failure = f"The following resource(s) failed to create: [{', '.join(op.failed)}]. "
        stack.failure = failure
        if stack.disable_rollback:
            stack.set_status("CREATE_FAILED", failure)
            return False
        stack.set_status("ROLLBACK_IN_PROGRESS", failure + "Rollback requested by user.")
        failed_deletes = self._delete_resources(stack, self._in_creation_order(stack), phase="rollback")
        stack.set_status("ROLLBACK_FAILED" if failed_deletes else "ROLLBACK_COMPLETE")
        return False

    # -- update ----------------------------------------------------------------------------------
    def run_update(
        self,
        stack: Stack,
        template: dict[str, Any],
        body: str,
        parameters: dict[str, str],
        change_set: ChangeSet | None = None,
        begun: bool = False,
    ) -> bool:
        """Update in place; on failure roll back to the previous template. True when updated."""
        if not begun:
            self.begin_update(stack, template, body, parameters)
        self._hold(stack)
        op = _Operation(change_set=change_set)
        if self._converge(stack, template, parameters, op):
            stack.set_status("UPDATE_COMPLETE_CLEANUP_IN_PROGRESS")
            self._cleanup(stack, list(op.replaced.values()))
            stack.set_status("UPDATE_COMPLETE")
            return True
        stack.failure = f"The following resource(s) failed to update: [{', '.join(op.failed)}]. "
        stack.set_status("UPDATE_ROLLBACK_IN_PROGRESS", stack.failure)
        self._rollback_update(stack, op)
        return False

    def begin(self, stack: Stack, status: str) -> None:
        stack.set_status(status, "User Initiated" if stack.parent_id is None else None)

    def begin_update(
        self, stack: Stack, template: dict[str, Any], body: str, parameters: dict[str, str]
    ) -> None:
        stack.previous = (stack.template, stack.template_body, dict(stack.parameters))
        stack.template, stack.template_body, stack.parameters = template, body, parameters
        self.begin(stack, "UPDATE_IN_PROGRESS")

    def _rollback_update(self, stack: Stack, op: _Operation) -> None:
        assert stack.previous is not None
        stack.template, stack.template_body, stack.parameters = stack.previous
        discard = []
        for logical_id, old in op.replaced.items():
            new = stack.resources[logical_id]
            if new.model is not None:
                discard.append(new)
            stack.resources[logical_id] = old
            stack.event(logical_id, old.resource_type, "UPDATE_IN_PROGRESS", physical_id=old.physical_id)
            old.status = "UPDATE_COMPLETE"
            stack.event(logical_id, old.resource_type, "UPDATE_COMPLETE", physical_id=old.physical_id)
        back = _Operation(rollback=True)
        ok = self._converge(stack, stack.template, stack.parameters, back)
        if not ok:
            stack.set_status(
                "UPDATE_ROLLBACK_FAILED",
                f"The following resource(s) failed to update: [{', '.join(back.failed)}]. ",
            )
            return
        stack.set_status("UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS")
        self._cleanup(stack, discard + list(back.replaced.values()))
        stack.set_status("UPDATE_ROLLBACK_COMPLETE")

    def continue_rollback(self, stack: Stack, skip: list[str]) -> None:
        for logical_id in skip:
            resource = stack.resources.get(logical_id)
            if resource is not None:
                resource.status = "UPDATE_COMPLETE"
        self._rollback_update(stack, _Operation(rollback=True))

    # -- delete ----------------------------------------------------------------------------------
    def run_delete(self, stack: Stack, begun: bool = False) -> bool:
        if not begun:
            self.begin(stack, "DELETE_IN_PROGRESS")
        self._hold(stack)
        failed = self._delete_resources(stack, self._in_creation_order(stack), phase="forward")
        if failed:
            stack.set_status(
                "DELETE_FAILED", f"The following resource(s) failed to delete: [{', '.join(failed)}]. "
            )
            return False
        stack.deleted = now()
        stack.set_status("DELETE_COMPLETE")
        return True

    # -- the converge pass -----------------------------------------------------------------------
    def _converge(
        self, stack: Stack, template: dict[str, Any], parameters: dict[str, str], op: _Operation
    ) -> bool:
        try:
            evaluator = self.evaluator(stack, template, parameters)
            for logical_id in templates.creation_order(template):
                definition = template["Resources"][logical_id]
                if not evaluator.is_active(definition):
                    continue
                current = stack.resources.get(logical_id)
                if current is None or (current.model is None and current.resource_type != STACK_TYPE):
                    self._create(stack, logical_id, definition, evaluator, op)
                else:
                    self._update(stack, current, definition, evaluator, op)
            stack.outputs = self._outputs(evaluator, template)
        except _StepFailed as failed:
            op.failed.append(failed.logical_id)
            return False
        except (ResourceFailure, ValidationError) as err:
            stack.event(
                stack.name,
                STACK_TYPE,
                "UPDATE_FAILED" if op.rollback else "CREATE_FAILED",
                physical_id=stack.stack_id,
                reason=str(err),
            )
            op.failed.append(stack.name)
            return False
        return True

    def _outputs(self, evaluator: Evaluator, template: dict[str, Any]) -> list[dict[str, Any]]:
        outputs = []
        for key, definition in (template.get("Outputs") or {}).items():
            if not evaluator.is_active(definition):
                continue
            value = evaluator.resolve(definition.get("Value"))
            output = {
                "OutputKey": key,
                "OutputValue": ",".join(map(str, value)) if isinstance(value, list) else str(value),
                "Description": definition.get("Description"),
            }
            if "Export" in definition:
                output["ExportName"] = str(evaluator.resolve(definition["Export"].get("Name")))
            outputs.append(output)
        return outputs

    def _fault(
        self, stack: Stack, phase: str | None, logical_id: str, resource_type: str, operation: str
    ) -> None:
        """Injected behaviour for one resource step: a delay, then possibly a failure."""
        seconds = self.faults.resource_hold_seconds(stack.name, logical_id, resource_type)
        if seconds:
            time.sleep(seconds)
        reason = self.faults.resource_failure(logical_id, resource_type, operation, phase) if phase else None
        if reason is not None:
            raise ResourceFailure(reason)

    def _create(
        self, stack: Stack, logical_id: str, definition: dict[str, Any], evaluator: Evaluator, op: _Operation
    ) -> None:
        resource_type = definition["Type"]
        resource = Resource(logical_id, resource_type, definition, {})
        stack.resources[logical_id] = resource
        imported = op.change_set.imports.get(logical_id) if op.change_set and not op.rollback else None
        verb = "IMPORT" if imported else "CREATE"
        stack.event(logical_id, resource_type, f"{verb}_IN_PROGRESS")
        try:
            self._fault(stack, op.phase, logical_id, resource_type, "create")
            resource.properties = evaluator.resolve(definition.get("Properties") or {})
            if resource_type == STACK_TYPE:
                self._create_child(stack, resource, op)
            elif imported:
                resource.model = provider.adopt(
                    resource_type, logical_id, imported, resource.properties, stack.account, stack.region
                )
                resource.physical_id = imported
            else:
                self._refuse_name_held(stack, resource_type, resource.properties)
                resource.model = provider.create(
                    resource_type,
                    logical_id,
                    resource.properties,
                    stack.name,
                    stack.stack_id,
                    stack.account,
                    stack.region,
                )
                resource.physical_id = provider.physical_id_of(resource.model)
        except ResourceFailure as err:
            resource.physical_id = err.physical_id or resource.physical_id
            self._failed(stack, resource, f"{verb}_FAILED", str(err))
        resource.status, resource.updated = f"{verb}_COMPLETE", now()
        stack.event(logical_id, resource_type, f"{verb}_COMPLETE", physical_id=resource.physical_id)

    def _refuse_name_held(self, stack: Stack, resource_type: str, properties: dict[str, Any]) -> None:
        """A custom name another stack holds fails the way CloudFormation words it."""
        name_property = provider.name_property(resource_type)
        name = properties.get(name_property) if name_property else None
        holder = self.registry.holder(resource_type, name, stack.region) if isinstance(name, str) else None
        if holder is not None and holder is not stack:
            raise ResourceFailure(f"{name} already exists in stack {holder.stack_id}")

    def _failed(self, stack: Stack, resource: Resource, status: str, reason: str) -> None:
        resource.status, resource.reason, resource.updated = status, reason, now()
        stack.event(
            resource.logical_id,
            resource.resource_type,
            status,
            physical_id=resource.physical_id,
            reason=reason,
        )
        raise _StepFailed(resource.logical_id)

    def _create_child(self, parent: Stack, resource: Resource, op: _Operation) -> None:
        template, body, parameters = self._child_source(parent, resource.properties)
        planned = op.change_set.nested.get(resource.logical_id) if op.change_set else None
        suffix = uuid.uuid4().hex[:12].upper()
        child = Stack(
            stack_id=planned.stack.stack_id
            if planned
            else make_arn(
                "stack", parent.region, parent.account, f"{parent.name}-{resource.logical_id}-{suffix}"
            ),
            name=planned.stack.name if planned else f"{parent.name}-{resource.logical_id}-{suffix}",
            account=parent.account,
            region=parent.region,
            template=template,
            template_body=body,
            parameters=parameters,
            capabilities=parent.capabilities,
            tags=parent.tags,
            description=template.get("Description"),
            parent_id=parent.stack_id,
            root_id=parent.root_id or parent.stack_id,
            change_set_id=planned.change_set_id if planned else None,
        )
        self.registry.add_stack(child)
        resource.model, resource.physical_id = child, child.stack_id
        parent.event(
            resource.logical_id,
            STACK_TYPE,
            "CREATE_IN_PROGRESS",
            physical_id=child.stack_id,
            reason="Resource creation Initiated",
        )
        if not self.run_create(child, planned):
            raise ResourceFailure(
                f"Embedded stack {child.stack_id} was not successfully created: {child.failure}"
            )

    def _child_source(
        self, parent: Stack, properties: dict[str, Any]
    ) -> tuple[dict[str, Any], str, dict[str, str]]:
        try:
            template, body = templates.load(None, properties.get("TemplateURL"), parent.account)
            given = {k: templates.parameter_value(v) for k, v in (properties.get("Parameters") or {}).items()}
            return template, body, templates.resolve_parameters(template, given)
        except ValidationError as err:
            raise ResourceFailure(err.message) from err

    def _update(
        self,
        stack: Stack,
        current: Resource,
        definition: dict[str, Any],
        evaluator: Evaluator,
        op: _Operation,
    ) -> None:
        resource_type = definition["Type"]
        logical_id = current.logical_id
        try:
            properties = evaluator.resolve(definition.get("Properties") or {})
        except ResourceFailure as err:
            self._failed(stack, current, "UPDATE_FAILED", str(err))
        repair = current.status.endswith("_FAILED")
        if resource_type == STACK_TYPE and current.resource_type == STACK_TYPE:
            self._update_child(stack, current, definition, properties, op, repair)
            return
        # a REVERT_DRIFT change set puts back what was changed outside CloudFormation (planner.revert)
        reverting = op.change_set is not None and not op.rollback and logical_id in op.change_set.reverts
        if (
            properties == current.properties
            and resource_type == current.resource_type
            and not repair
            and not reverting
        ):
            current.definition = definition
            return
        changed = {
            k
            for k in set(properties) | set(current.properties)
            if properties.get(k) != current.properties.get(k)
        }
        if resource_type != current.resource_type or changed & create_only_properties(resource_type):
            self._replace(stack, current, definition, properties, op)
            return
        stack.event(logical_id, resource_type, "UPDATE_IN_PROGRESS", physical_id=current.physical_id)
        try:
            self._fault(stack, op.phase, logical_id, resource_type, "update")
            if reverting:
                model = provider.revert(current.model, properties)
            else:
                model = provider.update(
                    current.model,
                    resource_type,
                    logical_id,
                    properties,
                    stack.name,
                    stack.account,
                    stack.region,
                )
            if model is None:  # the model cannot update in place: recreate it under the same identity
                provider.delete(current.model, resource_type, current.properties, stack.account, stack.region)
                model = provider.create(
                    resource_type,
                    logical_id,
                    properties,
                    stack.name,
                    stack.stack_id,
                    stack.account,
                    stack.region,
                )
        except ResourceFailure as err:
            self._failed(stack, current, "UPDATE_FAILED", str(err))
        current.model, current.properties, current.definition = model, properties, definition
        current.physical_id = provider.physical_id_of(model)
        current.status, current.reason, current.updated = "UPDATE_COMPLETE", None, now()
        stack.event(logical_id, resource_type, "UPDATE_COMPLETE", physical_id=current.physical_id)

    def _replace(
        self,
        stack: Stack,
        current: Resource,
        definition: dict[str, Any],
        properties: dict[str, Any],
        op: _Operation,
    ) -> None:
        resource_type, logical_id = definition["Type"], current.logical_id
        new = Resource(logical_id, resource_type, definition, properties, physical_id=current.physical_id)
        stack.event(
            logical_id, resource_type, "UPDATE_IN_PROGRESS", physical_id=current.physical_id, reason=REPLACING
        )
        try:
            self._fault(stack, op.phase, logical_id, resource_type, "update")
            name_property = provider.name_property(resource_type)
            if (
                name_property
                and properties.get(name_property)
                and (properties.get(name_property) == current.properties.get(name_property))
            ):
                raise ResourceFailure(
                    f"CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                    f"Rename {properties[name_property]} and update the stack again."
                )
            new.model = provider.create(
                resource_type, logical_id, properties, stack.name, stack.stack_id, stack.account, stack.region
            )
        except ResourceFailure as err:
            self._failed(stack, current, "UPDATE_FAILED", str(err))
        new.physical_id = provider.physical_id_of(new.model)
        new.status = "UPDATE_COMPLETE"
        op.replaced.setdefault(logical_id, current)
        stack.resources[logical_id] = new
        stack.event(logical_id, resource_type, "UPDATE_COMPLETE", physical_id=new.physical_id)

    def _update_child(
        self,
        stack: Stack,
        current: Resource,
        definition: dict[str, Any],
        properties: dict[str, Any],
        op: _Operation,
        repair: bool,
    ) -> None:
        """A nested stack updates in place: same stack id, its own events, its own rollback."""
        child: Stack = current.model
        try:
            template, body, parameters = self._child_source(stack, properties)
        except ResourceFailure as err:
            self._failed(stack, current, "UPDATE_FAILED", str(err))
        current.definition = definition
        # A child whose own rollback failed is not back yet even though its template is: the parent's
        # rollback (and ContinueUpdateRollback) must retry the child's rollback, as CloudFormation does.
        child_stuck = op.rollback and child.status == "UPDATE_ROLLBACK_FAILED"
        planned = op.change_set.nested.get(current.logical_id) if op.change_set else None
        # an unchanged child has a nested change set only to revert its drift (REVERT_DRIFT)
        reverting = planned is not None and planned.revert_drift and not op.rollback
        if (
            body == child.template_body
            and parameters == child.parameters
            and not child_stuck
            and not reverting
        ):
            current.properties = properties
            if repair:  # the child already rolled itself back; the parent only records it
                stack.event(current.logical_id, STACK_TYPE, "UPDATE_IN_PROGRESS", physical_id=child.stack_id)
                current.status, current.reason = "UPDATE_COMPLETE", None
                stack.event(current.logical_id, STACK_TYPE, "UPDATE_COMPLETE", physical_id=child.stack_id)
            return
        stack.event(current.logical_id, STACK_TYPE, "UPDATE_IN_PROGRESS", physical_id=child.stack_id)
        if op.rollback:
            ok = self._rollback_child(child, template, body, parameters)
        else:
            ok = self.run_update(child, template, body, parameters, planned)
        if not ok:
            self._failed(
                stack,
                current,
                "UPDATE_FAILED",
                f"Embedded stack {child.stack_id} was not successfully updated. Currently in "
                f"UPDATE_ROLLBACK_IN_PROGRESS with reason: {child.failure}",
            )
        current.properties, current.status, current.updated = properties, "UPDATE_COMPLETE", now()
        stack.event(current.logical_id, STACK_TYPE, "UPDATE_COMPLETE", physical_id=child.stack_id)

    def _rollback_child(
        self, child: Stack, template: dict[str, Any], body: str, parameters: dict[str, str]
    ) -> bool:
        """A parent's rollback takes a nested stack that already updated back to its old template."""
        child.previous = (template, body, parameters)
        child.set_status("UPDATE_ROLLBACK_IN_PROGRESS")
        self._rollback_update(child, _Operation(rollback=True))
        return child.status == "UPDATE_ROLLBACK_COMPLETE"

    # -- deleting --------------------------------------------------------------------------------
    def _cleanup(self, stack: Stack, replaced: list[Resource]) -> None:
        """After a successful pass: delete replaced physicals and resources the template dropped."""
        evaluator = self.evaluator(stack, stack.template, stack.parameters)
        wanted = {
            name
            for name, definition in stack.template["Resources"].items()
            if evaluator.is_active(definition)
        }
        dropped = [r for name, r in stack.resources.items() if name not in wanted]
        for resource in dropped:
            del stack.resources[resource.logical_id]
        for resource in replaced:
            if resource.retained_on_replace:
                stack.event(
                    resource.logical_id,
                    resource.resource_type,
                    "DELETE_SKIPPED",
                    physical_id=resource.physical_id,
                )
        replaced = [r for r in replaced if not r.retained_on_replace]
        self._delete_resources(stack, replaced + dropped, phase=None, remove=False)

    @staticmethod
    def _in_creation_order(stack: Stack) -> list[Resource]:
        """The stack's resources, dependencies first (deleting walks this backwards)."""
        try:
            order = templates.creation_order(stack.template) if stack.template.get("Resources") else []
        except ValidationError:
            order = []
        ranked = {name: n for n, name in enumerate(order)}
        resources = list(stack.resources.values())
        return sorted(resources, key=lambda r: ranked.get(r.logical_id, len(ranked)))

    def _delete_resources(
        self, stack: Stack, resources: list[Resource], phase: str | None, remove: bool = True
    ) -> list[str]:
        """Delete in reverse creation order; returns logical ids that failed to delete.

        `phase` selects which injected faults apply; cleanup passes None (cleanup never fails a stack)."""
        failed = []
        for resource in reversed(resources):
            logical_id, resource_type = resource.logical_id, resource.resource_type
            if resource.retained and resource.model is not None:
                stack.event(logical_id, resource_type, "DELETE_SKIPPED", physical_id=resource.physical_id)
            elif resource.model is not None:
                stack.event(logical_id, resource_type, "DELETE_IN_PROGRESS", physical_id=resource.physical_id)
                try:
                    self._fault(stack, phase, logical_id, resource_type, "delete")
                    self._delete_one(stack, resource)
                except ResourceFailure as err:
                    resource.status, resource.reason = "DELETE_FAILED", str(err)
                    stack.event(
                        logical_id,
                        resource_type,
                        "DELETE_FAILED",
                        physical_id=resource.physical_id,
                        reason=str(err),
                    )
                    failed.append(logical_id)
                    continue
                stack.event(logical_id, resource_type, "DELETE_COMPLETE", physical_id=resource.physical_id)
            else:
                stack.event(logical_id, resource_type, "DELETE_COMPLETE", physical_id=resource.physical_id)
            if remove and stack.resources.get(logical_id) is resource:
                del stack.resources[logical_id]
        return failed

    def _delete_one(self, stack: Stack, resource: Resource) -> None:
        if resource.resource_type == STACK_TYPE:
            child: Stack = resource.model
            if child.status != "DELETE_COMPLETE" and not self.run_delete(child):
                raise ResourceFailure(
                    f"Embedded stack {child.stack_id} was not successfully deleted: {child.reason}"
                )
            return
        provider.delete(
            resource.model, resource.resource_type, resource.properties, stack.account, stack.region
        )
