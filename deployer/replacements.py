"""No false replacements: a "may replace" whose only causes are provably unchanged is not one.

CloudFormation marks a property change ``Evaluation: Dynamic`` when its new value is known
only while the change set runs: a ``Ref`` to a resource being replaced or added
(``ChangeSource: ResourceReference``) or an ``Fn::GetAtt`` of a resource being modified at
all (``ResourceAttribute``). On a create-only property that gives ``Replacement:
Conditional``, the "may replace" of a plan (CloudFormation API Reference,
``ResourceChange.Replacement``: "If the RequiresRecreation field is Always and the
Evaluation field is Dynamic, Replacement is Conditional"). Many are false: a new image tag
modifies the ECS service, so ``Fn::GetAtt Service.Name`` is "Dynamic" and the scalable
target whose ``ResourceId`` reads it "may be replaced", although a service that is not
replaced keeps its name.

The rule, per stack of the plan, repeated until nothing more is proven:

- a ``Ref`` to a resource (``CausingEntity`` ``LogicalId``) is unchanged when the plan does
  not replace that resource: a physical id changes only with a replacement;
- an ``Fn::GetAtt`` (``LogicalId.Attribute``) is unchanged when the plan does not change
  that resource at all, or does not replace it and the attribute is one fixed for the
  resource's life (:data:`FIXED_ATTRIBUTES`: identifiers derived from create-only
  properties or assigned at creation, such as a service's ``Name`` or a role's ``Arn``);
- a nested stack's parameter that CloudFormation knows only once the parent runs (the
  nested change set's ``ParameterReference``, ``Dynamic``) keeps its value when the root
  passes it exactly as the deployed root does, from a root parameter that does not change or
  from another nested stack's output that its deployed template defines the same way, as a
  ``Ref`` or ``Fn::GetAtt`` of a resource proven unchanged by these rules;
- a property change whose every cause is such an unchanged reference does not change; a
  resource change left without any changed property is no change (the plan lists it
  apart, uncounted), one left with some is a modify or replacement by what remains.

Anything else stays as CloudFormation says it: a static change, a parameter whose value
changes, an output computed otherwise (or defined differently than deployed), an attribute
not in the table, a reference to a resource that is replaced or may still be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from fgc.compiler.stackset import StackSet
from fgc.deployer.plan import NESTED_STACK, Cause, PropertyChange, ResourceChange, StackPlan

#: Attributes that only a replacement changes, by resource type (each is derived from a
#: create-only property, or assigned when the resource is created).
FIXED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "AWS::EC2::EIP": frozenset({"AllocationId", "PublicIp"}),
    "AWS::EC2::SecurityGroup": frozenset({"GroupId", "VpcId"}),
    "AWS::EC2::VPC": frozenset({"CidrBlock", "VpcId"}),
    "AWS::EC2::Subnet": frozenset({"SubnetId", "VpcId", "AvailabilityZone", "CidrBlock"}),
    "AWS::ECR::Repository": frozenset({"Arn", "RepositoryUri"}),
    "AWS::ECS::Cluster": frozenset({"Arn"}),
    "AWS::ECS::Service": frozenset({"Name", "ServiceArn"}),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": frozenset(
        {"CanonicalHostedZoneID", "DNSName", "LoadBalancerArn", "LoadBalancerFullName", "LoadBalancerName"}
    ),
    "AWS::ElasticLoadBalancingV2::TargetGroup": frozenset(
        {"TargetGroupArn", "TargetGroupFullName", "TargetGroupName"}
    ),
    "AWS::IAM::Role": frozenset({"Arn", "RoleId"}),
    "AWS::Logs::LogGroup": frozenset({"Arn"}),
    "AWS::ServiceDiscovery::PrivateDnsNamespace": frozenset({"Arn", "Id", "HostedZoneId"}),
    "AWS::ServiceDiscovery::Service": frozenset({"Arn", "Id", "Name"}),
}
REFERENCES = ("ResourceReference", "ResourceAttribute")
_ORDER = ("False", "Conditional", "True")


#: The deployed template of a stack of the set, by its logical id (the root's: its stack
#: name); None when it cannot be read.
Deployed = Callable[[str], Mapping[str, Any] | None]


def without_false_replacements(
    plan: StackPlan,
    stack_set: StackSet | None = None,
    deployed: Deployed | None = None,
    changed_parameters: Collection[str] = (),
) -> StackPlan:
    """``plan`` and its nested plans with every provably false change taken out (in place).

    With the ``stack_set`` being planned, the ``deployed`` templates and the root parameters
    that change, a nested stack's parameter is proven too (see :class:`_Proof`).
    """
    stacks = list(plan.walk())
    proof = _Proof({s.logical_id: {c.logical_id: c for c in s.changes} for s in stacks})
    if stack_set is not None and deployed is not None:
        proof.wiring = _Wiring(stack_set, deployed, frozenset(changed_parameters))
    proof.settle()
    for stack in stacks:
        kept = proof.current[stack.logical_id]
        stack.unchanged.extend(c for c in stack.changes if c.logical_id not in kept)
        stack.changes = list(kept.values())
    return plan


@dataclass(frozen=True)
class _Wiring:
    stack_set: StackSet
    deployed: Deployed
    changed_parameters: frozenset[str]


@dataclass
class _Proof:
    """The plan's changes per stack (logical id -> change), revised until nothing more is proven.

    Across nested stacks (with ``wiring``): a nested stack's parameter that CloudFormation
    knows only once the parent runs (``ParameterReference``, ``Dynamic``) keeps its value
    when the root passes it the same way as the deployed root does, from a root parameter
    that does not change or from an output of another nested stack that the deployed
    template defines the same way, as a ``Ref`` or an ``Fn::GetAtt`` of a resource proven
    unchanged.
    """

    current: dict[str, dict[str, ResourceChange]]
    wiring: _Wiring | None = None

    def settle(self) -> None:
        changed = True
        while changed:  # each round can only take causes away, so this ends
            changed = False
            for stack_id, changes in self.current.items():
                revised = {k: self._revised(c, stack_id) for k, c in changes.items()}
                kept = {k: c for k, c in revised.items() if c is not None}
                if kept != changes:
                    self.current[stack_id], changed = kept, True

    def _revised(self, change: ResourceChange, stack_id: str) -> ResourceChange | None:
        """The change without its proven-unchanged causes; None when nothing is left of it."""
        if change.action != "Modify" or not change.values:
            return change
        values = []
        for value in change.values:
            causes = tuple(c for c in value.causes if not self._unchanged(c, stack_id))
            if causes:
                values.append(replace(value, causes=causes))
        if values == list(change.values):
            return change
        names = {_top(v.path) for v in change.values}
        if not values and set(change.properties) <= names and change.resource_type != NESTED_STACK:
            return None  # a nested stack stays: its own plan says what happens inside
        kept_names = {_top(v.path) for v in values} | (set(change.properties) - names)
        return replace(
            change,
            values=tuple(values),
            properties=tuple(n for n in change.properties if n in kept_names),
            replacement=min(change.replacement, _replacement(values), key=_ORDER.index),
        )

    def _unchanged(self, cause: Cause, stack_id: str) -> bool:
        """Whether the reference ``cause`` names keeps its value (see the module's rule)."""
        if cause.evaluation != "Dynamic" or not cause.entity:
            return False
        if cause.source == "ParameterReference":
            return self._parameter_unchanged(stack_id, cause.entity)
        if cause.source not in REFERENCES:
            return False
        logical_id, _, attribute = cause.entity.partition(".")
        return self._resource_unchanged(stack_id, logical_id, attribute)

    def _resource_unchanged(self, stack_id: str, logical_id: str, attribute: str) -> bool:
        target = self.current.get(stack_id, {}).get(logical_id)
        if target is None:
            return True  # not changed by this plan at all
        if target.action != "Modify" or target.replacement != "False":
            return False
        if target.resource_type == NESTED_STACK and attribute.startswith("Outputs."):
            return self._output_unchanged(logical_id, attribute.removeprefix("Outputs."))
        return not attribute or attribute in FIXED_ATTRIBUTES.get(target.resource_type, frozenset())

    def _parameter_unchanged(self, stack_id: str, name: str) -> bool:
        if self.wiring is None:
            return False
        root = self.wiring.stack_set.root
        if stack_id == root.logical_id:
            return False  # the root's own parameters are known when the change set is made
        where = ("Resources", stack_id, "Properties", "Parameters", name)
        passed = _path(root.template, *where)
        if passed is None or passed != _path(self.wiring.deployed(root.logical_id), *where):
            return False
        reference = _reference(passed)
        if reference is None:
            return False
        logical_id, attribute = reference
        if logical_id.startswith("AWS::"):
            return True  # a pseudo parameter: the same stack, account and region
        if logical_id in (root.template.get("Parameters") or {}):
            return logical_id not in self.wiring.changed_parameters
        return self._resource_unchanged(root.logical_id, logical_id, attribute)

    def _output_unchanged(self, stack_id: str, output: str) -> bool:
        """Whether the nested stack ``stack_id`` gives ``output`` the value it gives now."""
        if self.wiring is None:
            return False
        parts = {part.logical_id: part for part in self.wiring.stack_set.nested}
        if stack_id not in parts:
            return False
        now = _path(parts[stack_id].template, "Outputs", output, "Value")
        if now is None or now != _path(self.wiring.deployed(stack_id), "Outputs", output, "Value"):
            return False
        reference = _reference(now)
        if reference is None or reference[0] in (parts[stack_id].template.get("Parameters") or {}):
            return False
        return self._resource_unchanged(stack_id, *reference)


def _reference(expression: Any) -> tuple[str, str] | None:
    """(logical id, attribute) of a ``Ref`` (attribute ``""``) or an ``Fn::GetAtt``; None for
    anything else (a literal or a computed value may differ from what is deployed)."""
    if not isinstance(expression, dict) or len(expression) != 1:
        return None
    if isinstance(expression.get("Ref"), str):
        return expression["Ref"], ""
    target = expression.get("Fn::GetAtt")
    target = target.split(".", 1) if isinstance(target, str) else target
    if isinstance(target, list) and len(target) == 2 and all(isinstance(t, str) for t in target):
        return target[0], target[1]
    return None


def _path(document: Mapping[str, Any] | None, *keys: str) -> Any:
    node: Any = document
    for key in keys:
        node = node.get(key) if isinstance(node, Mapping) else None
    return node


def _replacement(values: list[PropertyChange]) -> str:
    """CloudFormation's rule on what remains: Always + Static replaces, Always + Dynamic or
    Conditionally may replace."""
    found = "False"
    for value in values:
        if value.requires_recreation == "Always" and any(c.evaluation == "Static" for c in value.causes):
            return "True"
        if value.requires_recreation in ("Always", "Conditionally"):
            found = "Conditional"
    return found


def _top(path: str) -> str:
    """``ContainerDefinitions[0].Image`` -> ``ContainerDefinitions``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]
