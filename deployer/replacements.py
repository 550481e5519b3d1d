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
- a property change whose every cause is such an unchanged reference does not change; a
  resource change left without any changed property is no change (the plan lists it
  apart, uncounted), one left with some is a modify or replacement by what remains.

Anything else stays as CloudFormation says it: a static change, a parameter, a nested
stack's output, an attribute not in the table, a reference to a resource that is replaced
or may still be.
"""

from __future__ import annotations

import re
from dataclasses import replace

from fgc.deployer.plan import Cause, PropertyChange, ResourceChange, StackPlan

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


def without_false_replacements(plan: StackPlan) -> StackPlan:
    """``plan`` and its nested plans with every provably false change taken out (in place)."""
    for stack in plan.walk():
        stack.changes, dropped = _honest(stack.changes)
        stack.unchanged.extend(dropped)
    return plan


def _honest(changes: list[ResourceChange]) -> tuple[list[ResourceChange], list[ResourceChange]]:
    """(the changes as they really are, the changes proven to be none)."""
    current = {c.logical_id: c for c in changes}
    while True:  # each round can only take causes away, so this ends
        revised = {logical_id: _revised(change, current) for logical_id, change in current.items()}
        kept = {k: c for k, c in revised.items() if c is not None}
        if kept == current:
            break
        current = kept
    return list(current.values()), [c for c in changes if c.logical_id not in current]


def _revised(change: ResourceChange, plan: dict[str, ResourceChange]) -> ResourceChange | None:
    """The change without its proven-unchanged causes; None when nothing is left of it."""
    if change.action != "Modify" or not change.values:
        return change
    values = []
    for value in change.values:
        causes = tuple(c for c in value.causes if not _unchanged(c, plan))
        if causes:
            values.append(replace(value, causes=causes))
    if len(values) == len(change.values) and all(v == w for v, w in zip(values, change.values, strict=True)):
        return change
    names = {_top(v.path) for v in change.values}
    if not values and set(change.properties) <= names:
        return None
    kept_names = {_top(v.path) for v in values} | (set(change.properties) - names)
    replacement = min(change.replacement, _replacement(values), key=_ORDER.index)
    return replace(
        change,
        values=tuple(values),
        properties=tuple(n for n in change.properties if n in kept_names),
        replacement=replacement,
    )


def _unchanged(cause: Cause, plan: dict[str, ResourceChange]) -> bool:
    """Whether the reference ``cause`` names keeps its value (see the module's rule)."""
    if cause.source not in REFERENCES or cause.evaluation != "Dynamic" or not cause.entity:
        return False
    logical_id, _, attribute = cause.entity.partition(".")
    target = plan.get(logical_id)
    if target is None:
        return True  # not changed by this plan at all
    if target.action != "Modify" or target.replacement != "False":
        return False
    return not attribute or attribute in FIXED_ATTRIBUTES.get(target.resource_type, frozenset())


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
