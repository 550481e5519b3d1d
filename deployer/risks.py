"""The risk section of a plan: changes users feel, and resources a removal leaves behind.

A value per finding; the CLI prints them above the plan's table. Read from the plan
(what is replaced or removed) and the deployed templates (``DeletionPolicy`` and
``UpdateReplacePolicy`` are template attributes CloudFormation does not put in a change
set):

- a replacement of a resource whose replacement users notice: the load balancer (a new
  DNS name), a target group (open connections dropped), a task definition (a new ECS
  deployment), the ECS service itself (new tasks from nothing), a log group or an ECR
  repository (their data stays with the old one);
- a removal of a log group or repository that is not retained: its data is deleted;
- a removal (or a replacement) of a retained resource: CloudFormation keeps it in the
  account (DeletionPolicy / UpdateReplacePolicy ``Retain``) where nothing manages it any
  more. A nested stack that is removed takes its resources with it, so its retained ones
  are listed too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fgc.compiler.stackset import ROOT, StackSet
from fgc.deployer.plan import NESTED_STACK, Plan, ResourceChange

#: What replacing a resource of this type does to its users.
FELT = {
    "AWS::ElasticLoadBalancingV2::LoadBalancer": "a new load balancer with a new DNS name: "
    "clients and DNS records that use the old name stop working",
    "AWS::ElasticLoadBalancingV2::TargetGroup": "a new target group: "
    "connections open on the old one are dropped",
    "AWS::ECS::TaskDefinition": "a new task definition revision: the service starts a new ECS deployment",
    "AWS::ECS::Service": "a new ECS service: its tasks start from nothing "
    "while the old service's are stopped",
    "AWS::Logs::LogGroup": "a new log group: the events logged so far stay in the old one",
    "AWS::ECR::Repository": "a new repository: the images pushed so far stay in the old one",
}
#: Types whose removal deletes data (unless retained).
DATA = {"AWS::Logs::LogGroup": "its log events", "AWS::ECR::Repository": "its images"}
#: DeletionPolicy / UpdateReplacePolicy values that keep the resource.
RETAINED = ("Retain", "RetainExceptOnCreate")


@dataclass(frozen=True)
class Finding:
    """One entry of a plan's risk or security section.

    ``kind`` names the rule (``replacement``, ``data-loss``, ``orphaned`` here; ``iam`` and
    ``security-group`` in :mod:`fgc.deployer.broadening`); ``stack`` is the stack's label
    (the part name, or the root stack's name).
    """

    kind: str
    stack: str
    logical_id: str
    resource_type: str
    message: str

    def __str__(self) -> str:
        return f"{self.stack} {self.logical_id} ({self.resource_type}): {self.message}"


def risks(plan: Plan, before: StackSet | None) -> list[Finding]:
    """The risk section of ``plan``; ``before`` is the deployed stack set (None: never deployed)."""
    found = []
    for stack in plan.root.walk():
        label = plan.stack_name if stack.name == ROOT else stack.name
        deployed = _resources(before, stack.name)
        for change in stack.resource_changes():
            found += [
                Finding(kind, label, change.logical_id, change.resource_type, message)
                for kind, message in _risks_of(change, deployed.get(change.logical_id, {}))
            ]
            if change.action == "Remove" and change.resource_type == NESTED_STACK:
                found += _left_by(before, change.logical_id)
    return found


def _risks_of(change: ResourceChange, deployed: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(kind, message) of each risk of one change; ``deployed``: the resource as deployed."""
    if change.action == "Modify" and change.replacement in ("True", "Conditional"):
        may = "replaced" if change.replacement == "True" else "may be replaced"
        found = (
            [("replacement", f"{may}: {FELT[change.resource_type]}")] if change.resource_type in FELT else []
        )
        if deployed.get("UpdateReplacePolicy") in RETAINED:
            found.append(("orphaned", f"{may}: the old one is kept (UpdateReplacePolicy Retain), unmanaged"))
        return found
    if change.action != "Remove":
        return []
    if deployed.get("DeletionPolicy") in RETAINED:
        return [
            ("orphaned", "removed from the stack but kept in the account (DeletionPolicy Retain), unmanaged")
        ]
    if change.resource_type in DATA:
        return [("data-loss", f"removed: {DATA[change.resource_type]} are deleted with it")]
    return []


def _resources(stack_set: StackSet | None, name: str) -> Mapping[str, Any]:
    """The resources of the part ``name`` of ``stack_set`` (none when either is absent)."""
    if stack_set is None or name not in stack_set:
        return {}
    resources: Mapping[str, Any] = stack_set[name].get("Resources", {})
    return resources


def _left_by(before: StackSet | None, logical_id: str) -> list[Finding]:
    """The retained resources of a nested stack that is removed: they stay in the account."""
    part = next((p for p in (before.nested if before else []) if logical_id in (p.logical_id, p.name)), None)
    if part is None:
        return []
    return [
        Finding(
            "orphaned",
            part.name,
            lid,
            resource["Type"],
            "its stack is removed but it is kept in the account (DeletionPolicy Retain), unmanaged",
        )
        for lid, resource in part.template.get("Resources", {}).items()
        if resource.get("DeletionPolicy") in RETAINED
    ]
