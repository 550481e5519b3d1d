"""Change-set planning: what an update would add, modify (and whether it replaces) or remove.

The new template is evaluated against the live stack with values that only exist after execution
(physical ids of new or replaced resources, attributes of modified ones) left `Unknown`; a property
whose value is unknown is a "Dynamic" change, one whose value differs is "Static". Create-only
properties from the provider schemas decide `RequiresRecreation` and `Replacement`. Nested stacks
get their own change sets, linked through `ChangeSetId`, `ParentChangeSetId` and `RootChangeSetId`.

`ImportExistingResources` (CloudFormation User Guide, "Import AWS resources into a CloudFormation
stack automatically"): a resource to add is imported instead (action `Import`) when its template gives
it a static custom name, its DeletionPolicy is `Retain` or `RetainExceptOnCreate`, its type supports
import, a resource of that name exists, and no other stack holds it. One that fails any of these is
added as usual, so creating a name that exists fails as CloudFormation does ("already exists"). The
setting reaches nested stacks from the root change set, as the guide says to create it there.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from . import drift, property_diff, provider, templates
from .engine import pseudo_parameters, stack_output
from .intrinsics import Evaluator, Unknown, unknowns_in
from .property_diff import MISSING
from .schemas import create_only_properties
from .state import Change, ChangeSet, Registry, Resource, Stack, make_arn
from .templates import STACK_TYPE, parameter_value

IMPORT_POLICIES = ("Retain", "RetainExceptOnCreate")
_POLICY_SCOPES = ("Metadata", "DeletionPolicy", "UpdateReplacePolicy", "CreationPolicy", "UpdatePolicy")


class Planner:
    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def plan(self, change_set: ChangeSet) -> None:
        """Fill `changes` (and nested change sets); raises ResourceFailure/ValidationError on bad input."""
        stack = change_set.stack
        existing: dict[str, Resource] = stack.resources if change_set.change_set_type == "UPDATE" else {}
        template = change_set.template
        unknown_ids: set[str] = set()
        modified: set[str] = set()

        def ref(logical_id: str) -> Any:
            resource = existing.get(logical_id)
            if logical_id in unknown_ids or resource is None or resource.model is None:
                return Unknown(frozenset({logical_id}))
            return resource.physical_id

        def getatt(logical_id: str, attribute: str) -> Any:
            resource = existing.get(logical_id)
            if logical_id in modified or resource is None or resource.model is None:
                return Unknown(frozenset({f"{logical_id}.{attribute}"}))
            if resource.resource_type == STACK_TYPE:
                return stack_output(resource.model, attribute, logical_id)
            return provider.attribute(resource.model, resource.resource_type, logical_id, attribute)

        typed = templates.typed_parameters(template, change_set.parameters, stack.account, stack.region)
        # a nested stack's parameter the parent knows only once it runs is that parameter's
        # Dynamic change here (ChangeSource ParameterReference, CausingEntity its name)
        typed = {k: Unknown(frozenset({k})) if isinstance(v, Unknown) else v for k, v in typed.items()}
        evaluator = Evaluator(template, typed, pseudo_parameters(stack), ref, getatt)
        changed_parameters = (
            {
                name
                for name, value in change_set.parameters.items()
                if stack.parameters.get(name) != value and not isinstance(value, Unknown)
            }
            if existing
            else set()
        )
        active = []
        for logical_id in templates.creation_order(template):
            definition = template["Resources"][logical_id]
            if not evaluator.is_active(definition):
                continue
            active.append(logical_id)
            properties = evaluator.resolve(definition.get("Properties") or {})
            current = existing.get(logical_id)
            change = self._change(change_set, logical_id, definition, properties, current, changed_parameters)
            if change_set.revert_drift and current is not None:
                change = revert(change_set, current, change)
            if change is None:
                continue
            modified.add(logical_id)
            if change.action == "Add" or change.replacement in ("True", "Conditional"):
                unknown_ids.add(logical_id)
            change_set.changes.append(change)
        for logical_id, resource in existing.items():
            if logical_id not in active:
                change_set.changes.append(
                    Change(
                        "Remove",
                        logical_id,
                        resource.resource_type,
                        physical_id=resource.physical_id,
                        policy_action="Retain" if resource.retained else "Delete",
                        before_context=_context(resource.properties, resource.definition, stack.template),
                    )
                )

    def _change(
        self,
        change_set: ChangeSet,
        logical_id: str,
        definition: dict[str, Any],
        properties: dict[str, Any],
        current: Resource | None,
        changed_parameters: set[str],
    ) -> Change | None:
        resource_type = definition["Type"]
        nested_id = None
        if resource_type == STACK_TYPE:
            nested = self._nested(change_set, logical_id, properties, current)
            if nested is None:
                return None
            nested_id = nested.change_set_id if change_set.include_nested else None
        after = _context(properties, definition, change_set.template)
        if current is None:
            name = self._importable(change_set, definition)
            if name is not None:
                change_set.imports[logical_id] = name
                return Change("Import", logical_id, resource_type, physical_id=name, after_context=after)
            return Change(
                "Add", logical_id, resource_type, nested_change_set_id=nested_id, after_context=after
            )
        before = _context(current.properties, current.definition, change_set.stack.template)
        if current.resource_type != resource_type:
            return Change(
                "Modify",
                logical_id,
                resource_type,
                current.physical_id,
                "True",
                ["Properties"],
                before_context=before,
                after_context=after,
            )
        create_only = frozenset() if resource_type == STACK_TYPE else create_only_properties(resource_type)
        parameters = _Parameters(
            changed_parameters,
            set(change_set.template.get("Parameters") or {}),
            _no_echo(change_set.template),
        )
        details = _details(current, definition, properties, parameters, create_only)
        scope = ["Properties"] if details or nested_id else []
        if any(d["Target"]["Name"] == "Tags" for d in details):
            scope.append("Tags")
        scope += [key for key in _POLICY_SCOPES if current.definition.get(key) != definition.get(key)]
        if not scope:
            return None
        if nested_id and not details:
            details = [_detail("TemplateURL", "Never", "Static", "Automatic")]
        recreate = {(d["Evaluation"]) for d in details if d["Target"]["RequiresRecreation"] == "Always"}
        replacement = "True" if "Static" in recreate else "Conditional" if recreate else "False"
        change = Change(
            "Modify",
            logical_id,
            resource_type,
            current.physical_id,
            replacement,
            scope,
            details,
            nested_id,
            before_context=before,
            after_context=after,
        )
        if replacement != "False":
            retain = definition.get("UpdateReplacePolicy") == "Retain"
            change.policy_action = "ReplaceAndRetain" if retain else "ReplaceAndDelete"
        return change

    def _importable(self, change_set: ChangeSet, definition: dict[str, Any]) -> str | None:
        """The existing resource's name when the change set should import it rather than add it."""
        resource_type = definition["Type"]
        name_property = provider.name_property(resource_type) if change_set.import_existing else None
        name = (definition.get("Properties") or {}).get(name_property) if name_property else None
        if not isinstance(name, str) or definition.get("DeletionPolicy") not in IMPORT_POLICIES:
            return None  # dynamic names (Ref, Sub, ...) are not imported, nor anything deletable
        stack = change_set.stack
        if not provider.existing(resource_type, name, stack.account, stack.region):
            return None
        return None if self.registry.holder(resource_type, name, stack.region) else name

    def _nested(
        self, change_set: ChangeSet, logical_id: str, properties: dict[str, Any], current: Resource | None
    ) -> ChangeSet | None:
        url = properties.get("TemplateURL")
        if not isinstance(url, str):
            raise provider.ResourceFailure(
                f"TemplateURL of {logical_id} must be known when the change set is created"
            )
        template, body = templates.load(None, url, change_set.stack.account)
        given = {k: parameter_value(v) for k, v in (properties.get("Parameters") or {}).items()}
        parameters = templates.resolve_parameters(template, given)
        child: Stack | None = current.model if current is not None else None
        unchanged = child is not None and body == child.template_body and parameters == child.parameters
        if unchanged and not (change_set.revert_drift and child is not None and drift.any_drift(child)):
            return None
        templates.check_capabilities(template, change_set.capabilities)
        suffix = uuid.uuid4().hex[:12].upper()
        parent = change_set.stack
        if child is None:
            name = f"{parent.name}-{logical_id}-{suffix}"
            child = Stack(
                make_arn("stack", parent.region, parent.account, name), name, parent.account, parent.region
            )
        nested = ChangeSet(
            change_set_id=make_arn(
                "changeSet", parent.region, parent.account, f"{change_set.name}-{logical_id}"
            ),
            name=f"{change_set.name}-{logical_id}-{suffix}"[:128],
            stack=child,
            change_set_type="UPDATE" if current is not None else "CREATE",
            template=template,
            template_body=body,
            parameters=parameters,
            capabilities=change_set.capabilities,
            include_nested=True,
            import_existing=change_set.import_existing,
            revert_drift=change_set.revert_drift,
            parent_id=change_set.change_set_id,
            root_id=change_set.root_id or change_set.change_set_id,
        )
        self.plan(nested)
        nested.status, nested.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        change_set.nested[logical_id] = nested
        with self.registry.lock:
            self.registry.change_sets[nested.change_set_id] = nested
        return nested


@dataclass(frozen=True)
class _Parameters:
    """The template's parameters as change details need them."""

    changed: set[str]
    declared: set[str]
    no_echo: set[str]


def _no_echo(template: dict[str, Any]) -> set[str]:
    declared = template.get("Parameters") or {}
    return {name for name, d in declared.items() if str(d.get("NoEcho", "false")).lower() == "true"}


def _context(properties: dict[str, Any], definition: dict[str, Any], template: dict[str, Any]) -> str:
    return property_diff.context(properties, definition.get("Properties") or {}, _no_echo(template))


def revert(change_set: ChangeSet, current: Resource, change: Change | None) -> Change | None:
    """A ``REVERT_DRIFT`` change set's change for ``current``: its template change (if any) plus the
    drifted properties put back, each a detail from the actual value to the template's ("Using
    drift-aware change sets", CloudFormation User Guide; ``ResourceTargetDefinition``'s
    ``BeforeValueFrom: ACTUAL_STATE``, ``AfterValueFrom: TEMPLATE``). The resource is then updated
    from its live state on execution (engine ``_update``); a resource in sync is left as it is."""
    found = drift.drifted_properties(change_set.stack, current)
    if not found:
        return change
    if change is None:
        change = Change("Modify", current.logical_id, current.resource_type, current.physical_id, "False")
    change.drift_status = "MODIFIED"
    if "Properties" not in change.scope:
        change.scope.insert(0, "Properties")
    change.details += [_drift_detail(difference) for difference in found]
    change_set.reverts.add(current.logical_id)
    return change


#: What reverting each kind of difference does to the property (ResourceTargetDefinition.AttributeChangeType).
_REVERTING = {"NOT_EQUAL": "Modify", "ADD": "Remove", "REMOVE": "Add"}


def _drift_detail(difference: dict[str, str]) -> dict[str, Any]:
    path = difference["PropertyPath"]
    detail = _detail(path.split("/")[1], "Never", "Static", "DirectModification")
    detail["Target"].update(
        Path=path,
        BeforeValue=difference["ActualValue"],
        AfterValue=difference["ExpectedValue"],
        BeforeValueFrom="ACTUAL_STATE",
        AfterValueFrom="TEMPLATE",
        AttributeChangeType=_REVERTING[difference["DifferenceType"]],
    )
    return detail


def _detail(
    name: str,
    recreation: str,
    evaluation: str,
    source: str,
    cause: str | None = None,
    values: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One ``ResourceChangeDetail``; ``values`` (``Path``, ``BeforeValue``, ...) are shown only
    to a DescribeChangeSet asked ``IncludePropertyValues`` (see ``Change.to_api``)."""
    target = {"Attribute": "Properties", "Name": name, "RequiresRecreation": recreation, **(values or {})}
    detail: dict[str, Any] = {"Target": target, "Evaluation": evaluation, "ChangeSource": source}
    if cause is not None:
        detail["CausingEntity"] = cause
    return detail


def _details(
    current: Resource,
    definition: dict[str, Any],
    properties: dict[str, Any],
    parameters: _Parameters,
    create_only: frozenset[str],
) -> list[dict[str, Any]]:
    """One detail per changed leaf and cause (see ``property_diff``)."""
    old_raw = current.definition.get("Properties") or {}
    new_raw = definition.get("Properties") or {}
    details = []
    for name in sorted(set(current.properties) | set(properties)):
        recreation = "Always" if name in create_only else "Never"
        changed = property_diff.leaves(
            current.properties.get(name, MISSING),
            properties.get(name, MISSING),
            old_raw.get(name, MISSING),
            new_raw.get(name, MISSING),
        )
        for leaf in changed:
            values = _values(name, leaf, parameters.no_echo)
            for evaluation, source, cause in property_diff.causes(
                leaf, parameters.changed, parameters.declared
            ):
                details.append(_detail(name, recreation, evaluation, source, cause, values))
    return details


def _values(name: str, leaf: property_diff.Leaf, no_echo: set[str]) -> dict[str, str]:
    """``Path``, ``BeforeValue``, ``AfterValue``, ``AttributeChangeType`` of one changed leaf."""
    masked = property_diff.secret(leaf.old_raw, no_echo) or property_diff.secret(leaf.new_raw, no_echo)
    values = {
        "Path": property_diff.pointer("Properties", (name, *leaf.path)),
        "AttributeChangeType": "Add"
        if leaf.before is MISSING
        else "Remove"
        if leaf.after is MISSING
        else "Modify",
    }
    for key, value in (("BeforeValue", leaf.before), ("AfterValue", leaf.after)):
        shown = property_diff.text(value)
        if shown is not None:
            values[key] = property_diff.MASK if masked else shown
    if leaf.after is not MISSING and unknowns_in(leaf.after):
        values["AfterValue"] = property_diff.KNOWN_AFTER_APPLY
    return values
