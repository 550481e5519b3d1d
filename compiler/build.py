"""``compile``: one spec -> every template of its stack set, final and canonical.

Order matters: children are built, tagged and overridden first, because the root
references each child by the sha256 of its final text; the root comes last.
"""

from __future__ import annotations

from hashlib import sha256
from typing import Any

from fgc.compiler import cluster, limits, network, overrides, priorities, registries, root, service
from fgc.compiler.context import CompileContext
from fgc.compiler.naming import pascal, service_template
from fgc.compiler.problems import spec_error
from fgc.compiler.tags import apply_tags
from fgc.compiler.templates import ROOT, Templates, canonical_json, readable
from fgc.spec.errors import SpecError
from fgc.spec.models import Spec
from troposphere import Template

#: ALB limits: condition values (hosts + path patterns) in one rule, rules on one listener
MAX_CONDITION_VALUES = 5
MAX_RULES = 100


def compile(spec: Spec, ctx: CompileContext | None = None) -> Templates:
    """Compile ``spec`` into its nested templates. Pure: same spec, same bytes."""
    ctx = ctx or CompileContext()
    _check_names(spec)
    parameters = root.tag_parameters(spec, ctx.image_tags)
    routes = _routes(spec)
    assignment = priorities.assign(routes)

    built: dict[str, Template] = {}
    if spec.network.existing is None:
        built["network"] = network.build(spec, ctx)
    built["cluster"] = cluster.build(spec, ctx)
    if spec.registries:
        built["registries"] = registries.build(spec, ctx)
    for name in spec.services:
        built[service_template(name)] = service.build(spec, name, assignment.priorities.get(name))

    children = _finish_all(spec, built)
    bodies = {name: canonical_json(t) for name, t in children.items()}
    hashes = {name: sha256(body.encode()).hexdigest() for name, body in bodies.items()}
    root_template = root.build(spec, children, hashes.__getitem__, assignment.displaced)
    templates = {ROOT: _finish(spec, ROOT, root_template.to_dict()), **children}
    result = Templates(
        stack_name=spec.stack_name,
        templates=templates,
        parameters=parameters,
        tags=dict(spec.tags),
        rendered=bodies,
    )
    limits.check(spec, result)
    return result


def _finish_all(spec: Spec, built: dict[str, Template]) -> dict[str, dict[str, Any]]:
    """Every child finished; the overrides that fail in any of them are reported together."""
    children, problems = {}, []
    for name, template in built.items():
        try:
            children[name] = _finish(spec, name, template.to_dict())
        except SpecError as err:
            problems += err.problems
    if problems:
        raise SpecError(problems)
    return children


def _finish(spec: Spec, name: str, template: dict[str, Any]) -> dict[str, Any]:
    """Tags on every taggable resource, then the user's overrides (last, so they win)."""
    template = readable({"AWSTemplateFormatVersion": "2010-09-09", **template})
    apply_tags(template, spec.tags)
    ops = spec.overrides.get(name)
    return overrides.apply(spec, name, template, ops) if ops else template


def _check_names(spec: Spec) -> None:
    """Service names map to logical ids and parameter names: two must not collide (``a-1`` / ``a1``)."""
    seen: dict[str, str] = {}
    for name in spec.services:
        other = seen.setdefault(pascal(name), name)
        if other != name:
            raise spec_error(
                spec, ("services", name), f"{name!r} and {other!r} give the same id {pascal(name)}"
            )


def _routes(spec: Spec) -> dict[str, priorities.Route]:
    routes = {}
    for name, svc in spec.services.items():
        if svc.http is None:
            continue
        paths = priorities.path_values(svc.http.path)
        values = len(paths) + len(svc.http.host or ())
        if values > MAX_CONDITION_VALUES:
            raise spec_error(
                spec,
                ("services", name, "http"),
                f"{values} host and path patterns (a path without * counts twice: /api and /api/*); "
                f"a load balancer rule takes at most {MAX_CONDITION_VALUES}",
            )
        routes[name] = priorities.Route(has_host=bool(svc.http.host), paths=tuple(paths))
    if len(routes) > MAX_RULES:
        raise spec_error(
            spec,
            ("services",),
            f"{len(routes)} services have http; a load balancer listener takes at most {MAX_RULES} rules",
        )
    return routes
