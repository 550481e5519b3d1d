"""Rules that make a valid document deployable (SPEC.md, "Valid means deployable").

Each rule is something the compiler, cfn-lint or CloudFormation would refuse later,
known here offline, so `fgc validate` reports it at the key's line. Each returns
``(dotted path, message)`` pairs for :class:`~fgc.spec.models.Spec` to raise together.

Limits, from the CloudFormation and Elastic Load Balancing quotas pages:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
(500 resources, 200 parameters, 200 outputs per template) and
https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
(100 rules per listener, 5 condition values per rule, 50 listeners per load balancer), and
https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html (60 inbound rules per
security group).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from fgc.spec.regions import ZONES

if TYPE_CHECKING:
    from fgc.spec.models import Spec

#: Resources in one template: the root holds one nested stack per part.
MAX_RESOURCES = 500
#: Outputs in one template: the registries template has 3 per repository.
MAX_OUTPUTS = 200
REGISTRY_OUTPUTS = 3
MAX_REGISTRIES = MAX_OUTPUTS // REGISTRY_OUTPUTS
#: Rules on one load balancer (one per service with http; default rules excluded),
#: condition values in one rule.
MAX_RULES = 100
MAX_CONDITION_VALUES = 5
#: Listeners on one load balancer; inbound rules of one security group (the load balancer's).
MAX_LISTENERS = 50
MAX_INGRESS_RULES = 60

#: ``(path, message)``: the path dotted, or a tuple where a key may hold a dot (registry names).
Found = list[tuple[str | tuple[str, ...], str]]
_WORD = re.compile(r"[A-Za-z0-9]+")


def logical_id(name: str) -> str:
    """``flask-api`` -> ``FlaskApi``: the alphanumeric id a name becomes in a template."""
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(name))


def path_values(paths: Sequence[str] | None) -> list[str]:
    """ALB path patterns for the spec's paths: ``/`` is everything, ``/api`` is ``/api`` and ``/api/*``."""
    values: list[str] = []
    for path in paths or ():
        if "*" in path or "?" in path:
            expanded = [path]
        elif path == "/":
            expanded = ["/*"]
        else:
            expanded = [path, path.rstrip("/") + "/*"]
        values += [v for v in expanded if v not in values]
    return values


#: Documents smaller than this (as JSON) compile to templates far under 1 MB: an entry of a
#: few bytes in the spec becomes at most ~15 times that in a template (indented JSON, and a
#: secret's ARN in both the container and the execution role's policy).
_SMALL_DOCUMENT = 32 * 1024
#: With at most this many services the root stays far under its parameter, output and size limits.
_FEW_SERVICES = 100


def may_exceed(spec: Spec) -> bool:
    """Whether ``spec`` could break a limit only its compiled templates show (compiler/limits.py),
    or name an override target only compiling reveals: then `fgc validate` compiles it."""
    if spec.overrides or len(spec.services) > _FEW_SERVICES:
        return True
    source = spec._source
    data = source.data if source is not None else spec.model_dump(mode="json")
    return len(json.dumps(data, default=str)) > _SMALL_DOCUMENT


def check(spec: Spec) -> Found:
    """Every problem of ``spec`` that would make render, lint or CloudFormation fail."""
    return [
        *_same_ids("services", spec.services),
        *_same_ids("registries", spec.registries),
        *_registries(spec),
        *_routes(spec),
        *_test_ports(spec),
        *_root_size(spec),
        *_zones(spec),
    ]


def _same_ids(section: str, names: Iterable[str]) -> Found:
    """Two names that become one logical id (``a-1`` and ``a1``, ``a-b`` and ``a.b``)."""
    owners: dict[str, str] = {}
    found: Found = []
    for name in names:
        owner = owners.setdefault(logical_id(name), name)
        if owner != name:
            found.append(
                (
                    (section, name),
                    f"{name!r} and {owner!r} both become the id {logical_id(name)}: rename one",
                )
            )
    return found


def _registries(spec: Spec) -> Found:
    if len(spec.registries) <= MAX_REGISTRIES:
        return []
    return [
        (
            "registries",
            f"{len(spec.registries)} registries: an application holds at most {MAX_REGISTRIES} "
            f"({REGISTRY_OUTPUTS} outputs each, {MAX_OUTPUTS} per template): "
            "share repositories between services",
        )
    ]


def _routes(spec: Spec) -> Found:
    found: Found = []
    routed = [(name, s.http) for name, s in spec.services.items() if s.http is not None]
    for name, http in routed:
        values = len(path_values(http.path)) + len(http.host or ())
        if values > MAX_CONDITION_VALUES:
            found.append(
                (
                    f"services.{name}.http",
                    f"{values} host and path patterns (a path without * counts twice: /api and /api/*); "
                    f"a load balancer rule takes at most {MAX_CONDITION_VALUES}",
                )
            )
    if len(routed) > MAX_RULES:
        found.append(
            (
                "services",
                f"{len(routed)} services have http; "
                f"a load balancer takes at most {MAX_RULES} rules (one each)",
            )
        )
    return found


def _test_ports(spec: Spec) -> Found:
    """Each ``deployment.test_port`` is a listener of its own on the shared load balancer, open to
    ``allowed_cidrs`` like the production ones: one service per port, within the listener and
    inbound-rule quotas."""
    owners: dict[int, str] = {}
    found: Found = []
    for name, service in spec.services.items():
        port = service.deployment.test_port
        if port is None:
            continue
        owner = owners.setdefault(port, name)
        if owner != name:
            found.append(
                (f"services.{name}.deployment.test_port", f"{port} is already the test_port of {owner}")
            )
    if not owners:
        return found
    production = 2 if spec.load_balancer.certificate else 1
    listeners = production + len(owners)
    rules = len(set(spec.load_balancer.allowed_cidrs)) * listeners
    if listeners > MAX_LISTENERS:
        found.append(
            ("services", f"{len(owners)} test ports: a load balancer takes at most {MAX_LISTENERS} listeners")
        )
    elif rules > MAX_INGRESS_RULES:
        found.append(
            (
                "load_balancer.allowed_cidrs",
                f"{len(set(spec.load_balancer.allowed_cidrs))} CIDR blocks x {listeners} listener ports "
                f"(test ports included) need {rules} inbound rules; a security group takes at most "
                f"{MAX_INGRESS_RULES}: use fewer blocks or fewer test ports",
            )
        )
    return found


def nested_stacks(spec: Spec) -> int:
    """How many nested stacks the root holds: one per service, and network and cluster (the
    registries live in their own stack, ``<app>-registries``).

    compiler/build.py decides the parts; a test keeps this count equal to what it builds.
    """
    return len(spec.services) + (spec.network.existing is None) + 1


def _root_size(spec: Spec) -> Found:
    stacks = nested_stacks(spec)
    if stacks <= MAX_RESOURCES:
        return []
    most = MAX_RESOURCES - (stacks - len(spec.services))
    return [
        (
            "services",
            f"{len(spec.services)} services: the root stack holds one nested stack per service and per part, "
            f"at most {MAX_RESOURCES} resources (here at most {most} services)",
        )
    ]


def _zones(spec: Spec) -> Found:
    """A region fgc (and cfn-lint) does not know, or more AZs than the region has."""
    if spec.region is None:
        return []
    if spec.region not in ZONES:
        return [("region", f"unknown region {spec.region!r} (known: {', '.join(sorted(ZONES))})")]
    vpc = spec.network.vpc
    if vpc is not None and vpc.azs > ZONES[spec.region]:
        return [
            (
                "network.vpc.azs",
                f"{spec.region} has {ZONES[spec.region]} availability zones; azs is {vpc.azs}",
            )
        ]
    return []
