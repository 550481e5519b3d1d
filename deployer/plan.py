"""The plan: what a change set would do, per stack, as plain values the CLI renders.

Built from the described change-set tree (root plus one nested change set per
nested stack); ``diff`` prints it, ``deploy`` prints it and then executes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from fgc.deployer.property_values import MASK, Cause, PropertyChange, is_secret_name, property_changes

__all__ = ["Cause", "ParameterChange", "Plan", "PropertyChange", "ResourceChange", "StackPlan"]

NESTED_STACK = "AWS::CloudFormation::Stack"


@dataclass(frozen=True)
class ResourceChange:
    """One resource's change: ``action`` Add / Modify / Remove / Import (AWS's words).

    ``replacement`` is ``"True"``, ``"False"`` or ``"Conditional"``: what CloudFormation
    said (``reported_replacement``) unless fgc proved a "may replace" false (see
    ``deployer/replacements.py``); always ``"False"`` for Add and Remove. ``properties``
    are the changed property names (``Tags`` when only tags change); ``values`` each
    changed leaf with its value before and after.
    """

    action: str
    logical_id: str
    resource_type: str
    replacement: str = "False"
    properties: tuple[str, ...] = ()
    physical_id: str | None = None
    values: tuple[PropertyChange, ...] = ()
    reported_replacement: str = "False"


@dataclass(frozen=True)
class ParameterChange:
    """A root parameter whose value changes (``old`` is None when the stack has none yet)."""

    name: str
    old: str | None
    new: str


@dataclass
class StackPlan:
    """One stack's changes; ``nested`` holds the plans of its nested stacks that change.

    ``unchanged`` are changes CloudFormation lists that fgc proved change nothing (their
    only causes are references that keep their values, see ``deployer/replacements.py``):
    kept to be named, never counted.
    """

    logical_id: str
    name: str
    change_set_id: str | None
    changes: list[ResourceChange] = field(default_factory=list)
    nested: list[StackPlan] = field(default_factory=list)
    unchanged: list[ResourceChange] = field(default_factory=list)

    def walk(self) -> Iterator[StackPlan]:
        """This stack, then every nested stack plan, depth first."""
        yield self
        for child in self.nested:
            yield from child.walk()

    def resource_changes(self) -> list[ResourceChange]:
        """Changes to real resources: a nested stack whose own plan lists changes is not counted itself."""
        planned = {child.logical_id for child in self.nested if child.changes}
        return [c for c in self.changes if not (c.resource_type == NESTED_STACK and c.logical_id in planned)]


@dataclass
class Plan:
    """Everything one change set would do to a stack set.

    ``change_set_id`` is None once the change set is gone (an empty plan's is deleted
    at once); ``labels`` maps nested stack logical ids to template names.
    """

    stack_name: str
    change_set_name: str
    change_set_id: str | None
    change_set_type: str
    root: StackPlan
    parameters: list[ParameterChange] = field(default_factory=list)
    stack_id: str | None = None
    created_at: datetime | None = None
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """True when nothing would change (CloudFormation's "didn't contain changes")."""
        return not self.parameters and not any(s.changes for s in self.root.walk())

    @property
    def change_count(self) -> int:
        """Resource changes across every stack, plus parameter changes."""
        return sum(len(s.resource_changes()) for s in self.root.walk()) + len(self.parameters)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for ``fgc diff --output json``."""
        return {
            "stack": self.stack_name,
            "change_set": self.change_set_name,
            "type": self.change_set_type,
            "empty": self.is_empty,
            "parameters": [asdict(p) for p in self.parameters],
            "stacks": [
                {
                    "stack": s.name,
                    "logical_id": s.logical_id,
                    "changes": [
                        {**asdict(c), "properties": list(c.properties)} for c in s.resource_changes()
                    ],
                    "unchanged": [c.logical_id for c in s.unchanged],
                }
                for s in self.root.walk()
            ],
        }


def resource_change(raw: Mapping[str, Any]) -> ResourceChange:
    """One ``ResourceChange`` of a described change set, as a value."""
    names: list[str] = []
    for detail in raw.get("Details", []):
        target = detail.get("Target", {})
        name = target.get("Name") if target.get("Attribute") == "Properties" else target.get("Attribute")
        if name and name not in names:
            names.append(name)
    replacement = raw.get("Replacement") or "False"
    return ResourceChange(
        action=raw.get("Action", "Modify"),
        logical_id=raw["LogicalResourceId"],
        resource_type=raw.get("ResourceType", ""),
        replacement=replacement,
        properties=tuple(names),
        physical_id=raw.get("PhysicalResourceId"),
        values=property_changes(raw),
        reported_replacement=replacement,
    )


def stack_plan(logical_id: str, name: str, tree: Mapping[str, Any], names: Mapping[str, str]) -> StackPlan:
    """A :class:`StackPlan` from a described change-set tree (see ``changeset.describe_tree``)."""
    plan = StackPlan(logical_id=logical_id, name=name, change_set_id=tree.get("ChangeSetId"))
    for change in tree.get("Changes", []):
        if change.get("Type", "Resource") == "Resource":
            plan.changes.append(resource_change(change["ResourceChange"]))
    for child_id, child in tree.get("Nested", {}).items():
        plan.nested.append(stack_plan(child_id, names.get(child_id, child_id), child, names))
    return plan


def parameter_changes(
    old: Mapping[str, str] | None, new: Mapping[str, str], described: Mapping[str, Any] | None = None
) -> list[ParameterChange]:
    """Root parameters whose value differs from what the stack holds (none for a new stack).

    ``described`` is the described root change set: a parameter it shows masked (``****``,
    a ``NoEcho`` parameter), or whose name says it holds a secret, is masked on both sides,
    so a plan never prints its value.
    """
    if old is None:
        return []
    masked = {
        p["ParameterKey"]
        for p in (described or {}).get("Parameters") or []
        if p.get("ParameterValue") == MASK
    }
    masked |= {name for name in new if is_secret_name(name)}
    return [
        ParameterChange(
            k, MASK if k in masked and old.get(k) is not None else old.get(k), MASK if k in masked else v
        )
        for k, v in new.items()
        if old.get(k) != v
    ]
