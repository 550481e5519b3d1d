"""The security section of a plan: what the new templates allow that the deployed ones did not.

Compares each resource of the compiled stack set with the same resource (part and
logical id) of the deployed one, read back with GetTemplate:

- IAM: every ``Allow`` statement of every policy document in a resource's properties
  (inline policies, trust policies, managed and resource policies) is split into grants,
  one per principal x action x resource; a grant is new unless a deployed one covers it
  (the same principal, an action and resource that match it, wildcards included, and no
  condition or the same one). Managed policy ARNs added to ``ManagedPolicyArns`` count too,
  and so do roles, users and groups a deployed policy is attached to anew.
- Security groups: every ingress rule (``SecurityGroupIngress`` of a group, or an
  ``AWS::EC2::SecurityGroupIngress`` resource) is new unless a deployed rule of the same
  resource covers it: the same protocol (or all), a port range that contains it, and the
  same source or, for CIDR sources, a network that contains it. Egress is not reviewed.

Narrowing (a grant or a rule removed, a CIDR made smaller) is not a risk and is not listed.
Values built with intrinsic functions are compared as they are written (``${VpcCidr}``).
"""

from __future__ import annotations

import fnmatch
import ipaddress
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fgc.compiler.stackset import ROOT, StackSet
from fgc.deployer.risks import Finding

SECURITY_GROUP = "AWS::EC2::SecurityGroup"
INGRESS = "AWS::EC2::SecurityGroupIngress"
#: Properties of AWS::IAM::Policy and AWS::IAM::ManagedPolicy naming who a policy applies to.
ATTACHED_TO = {"Roles": "role", "Users": "user", "Groups": "group"}
#: Ingress properties naming where traffic comes from.
SOURCES = ("CidrIp", "CidrIpv6", "SourceSecurityGroupId", "SourcePrefixListId", "SourceSecurityGroupName")


@dataclass(frozen=True)
class Grant:
    """One thing a policy allows: ``principal`` (``""`` in an identity policy) may ``action`` on
    ``resource`` (``""`` in a trust policy), under ``condition`` (see :func:`_condition`, ``""``: none)."""

    where: str
    principal: str
    action: str
    resource: str
    condition: str

    def covered_by(self, other: Grant) -> bool:
        return (
            self.principal == other.principal
            and _matches(self.action.lower(), other.action.lower())
            and _matches(self.resource, other.resource)
            and other.condition in ("", self.condition)
        )


@dataclass(frozen=True)
class Ingress:
    """One ingress rule: ``protocol`` (``-1``: all), ports ``low``..``high``, and its source."""

    protocol: str
    low: int
    high: int
    source_kind: str
    source: str

    def covered_by(self, other: Ingress) -> bool:
        return (
            other.protocol in ("-1", self.protocol)
            and other.low <= self.low
            and self.high <= other.high
            and other.source_kind == self.source_kind
            and _contains(other.source, self.source)
        )

    def __str__(self) -> str:
        protocol = "all traffic" if self.protocol == "-1" else self.protocol
        ports = (
            ""
            if self.protocol == "-1"
            else f" {self.low}"
            if self.low == self.high
            else f" {self.low}-{self.high}"
        )
        return f"{protocol}{ports} from {self.source}"


def broadening(before: StackSet | None, after: StackSet) -> list[Finding]:
    """The security section: per resource of ``after``, what it allows that ``before`` did not."""
    found = []
    for part in after.parts:
        label = after.stack_name if part.name == ROOT else part.name
        deployed = before[part.name].get("Resources", {}) if before and part.name in before else {}
        for logical_id, resource in part.template.get("Resources", {}).items():
            old = deployed.get(logical_id)
            if old is not None and old.get("Type") != resource.get("Type"):
                old = None
            kind = resource.get("Type", "")
            found += [
                Finding(rule, label, logical_id, kind, message)
                for rule, message in _new_access(resource, old)
            ]
    return found


def _new_access(resource: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """(rule, message) for everything ``resource`` allows that ``old`` (None: it is new) did not."""
    props = resource.get("Properties", {})
    old_props = old.get("Properties", {}) if old else {}
    found = []
    had = list(_grants(old_props))
    new = [g for g in _grants(props) if not any(g.covered_by(h) for h in had)]
    found += [("iam", message) for message in _grant_messages(new)]
    managed = [
        a for a in props.get("ManagedPolicyArns", []) if a not in old_props.get("ManagedPolicyArns", [])
    ]
    found += [("iam", f"managed policy {_text(arn)} attached") for arn in managed]
    if old is not None:  # a new policy's grants are all listed above; an old one's reach widens
        for key, kind in ATTACHED_TO.items():
            added = [who for who in props.get(key, []) if who not in old_props.get(key, [])]
            found += [("iam", f"now attached to {kind} {_text(who)}") for who in added]
    if resource.get("Type") in (SECURITY_GROUP, INGRESS):
        had_rules = list(_ingress(resource.get("Type", ""), old_props))
        for rule in _ingress(resource.get("Type", ""), props):
            if not any(rule.covered_by(h) for h in had_rules):
                found.append(("security-group", f"new ingress: {rule}"))
    return found


def _grants(props: Mapping[str, Any]) -> Iterator[Grant]:
    """Every grant of every policy document in ``props`` (a dict with a ``Statement``, at any depth)."""
    for where, document in _documents(props, ""):
        statements = document.get("Statement", [])
        for statement in statements if isinstance(statements, list) else [statements]:
            if statement.get("Effect") != "Allow":
                continue
            condition = _condition(statement.get("Condition", {}))
            principals = _list(statement.get("Principal", ""))
            actions = [_text(a) for a in _list(statement.get("Action", []))]
            actions += [f"everything but {_text(a)}" for a in _list(statement.get("NotAction", []))]
            resources = [_text(r) for r in _list(statement.get("Resource", ""))]
            resources += [f"everything but {_text(r)}" for r in _list(statement.get("NotResource", []))]
            for principal in principals:
                for action in actions:
                    for resource in resources:
                        yield Grant(where, _text(principal), action, resource, condition)


def _documents(value: Any, where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(where, document) of each policy document inside ``value``; ``where`` names it for people
    (``trust policy``, ``policy app``)."""
    if isinstance(value, dict):
        if "Statement" in value:
            yield where or "policy", value
            return
        for key, child in value.items():
            name = "trust policy" if key == "AssumeRolePolicyDocument" else where
            if key == "PolicyDocument" and isinstance(value.get("PolicyName"), str):
                name = f"policy {value['PolicyName']}"
            yield from _documents(child, name)
    elif isinstance(value, list):
        for child in value:
            yield from _documents(child, where)


def _grant_messages(grants: list[Grant]) -> list[str]:
    """The new grants, grouped so each policy's new actions on the same resources make one line."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for grant in grants:
        key = (grant.where, grant.principal, grant.condition, grant.resource)
        groups.setdefault(key, []).append(grant.action)
    lines: dict[tuple[str, str, str, tuple[str, ...]], list[str]] = {}
    for (where, principal, condition, resource), actions in groups.items():
        lines.setdefault((where, principal, condition, tuple(actions)), []).append(resource)
    messages = []
    for (where, principal, condition, allowed), resources in lines.items():
        text = f"{where} allows {', '.join(allowed)}"
        text += f" to {principal}" if principal else ""
        text += f" on {', '.join(resources)}" if any(resources) else ""
        text += f" when {condition}" if condition else ""
        messages.append(text)
    return messages


def _ingress(kind: str, props: Mapping[str, Any]) -> Iterator[Ingress]:
    """The ingress rules of a security group's or an ingress resource's properties."""
    rules = [props] if kind == INGRESS and props else props.get("SecurityGroupIngress", [])
    for rule in rules:
        protocol = str(_text(rule.get("IpProtocol", "-1"))).lower()
        low, high = rule.get("FromPort", 0), rule.get("ToPort", 65535)
        if protocol == "-1" or not isinstance(low, int) or not isinstance(high, int) or low < 0:
            low, high = 0, 65535
        source_kind = next((k for k in SOURCES if k in rule), "")
        yield Ingress(protocol, low, high, source_kind, _text(rule.get(source_kind, "")))


def _condition(condition: Any) -> str:
    """A statement's condition as people read it, in a fixed order (also its identity):
    ``aws:SourceAccount StringEquals ${AWS::AccountId}``; ``""`` for none."""
    if not isinstance(condition, dict):
        return _text(condition)
    return ", ".join(
        f"{key} {operator} {', '.join(_text(v) for v in _list(value))}"
        for operator, tests in sorted(condition.items())
        for key, value in sorted(tests.items() if isinstance(tests, dict) else [("", tests)])
    )


def _list(value: Any) -> list[Any]:
    """A policy element that may be one value or a list of them; a principal map
    (``{"Service": [...]}``) becomes one ``Service: x`` per value."""
    if isinstance(value, dict) and not _is_intrinsic(value):
        return [f"{key}: {_text(item)}" for key, items in value.items() for item in _list(items)]
    return value if isinstance(value, list) else [value]


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def _text(value: Any) -> str:
    """A template value as people read it: strings as they are, ``Ref`` as ``${Name}``, ``Fn::Sub``
    as its string, ``Fn::GetAtt`` as ``${Id.Attribute}``, anything else as compact JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, inner = next(iter(value.items()))
        if key == "Ref":
            return f"${{{inner}}}"
        if key == "Fn::Sub":
            return str(inner if isinstance(inner, str) else inner[0])
        if key == "Fn::GetAtt":
            return f"${{{'.'.join(inner) if isinstance(inner, list) else inner}}}"
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _matches(value: str, pattern: str) -> bool:
    """IAM's wildcards: ``*`` any run of characters, ``?`` one."""
    return value == pattern or fnmatch.fnmatchcase(value, pattern)


def _contains(outer: str, inner: str) -> bool:
    """The same source, or a CIDR network inside another."""
    if outer == inner:
        return True
    try:
        wide, narrow = ipaddress.ip_network(outer, strict=False), ipaddress.ip_network(inner, strict=False)
    except ValueError:
        return False
    return wide.version == narrow.version and narrow.subnet_of(wide)  # type: ignore[arg-type]
