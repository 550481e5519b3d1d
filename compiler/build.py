"""``compile``: one spec -> its stack set, every part final and canonical.

Order matters: the nested parts are built, tagged and overridden first, because the
root references each by the sha256 of its final text and reads their declared
outputs; the root comes last. Which parts a spec has is decided here, and only here.
"""

from __future__ import annotations

from typing import Any

from fgc.compiler import (
    cluster,
    limits,
    network,
    overrides,
    priorities,
    registries,
    root,
    service,
    service_connect,
)
from fgc.compiler.context import CompileContext
from fgc.compiler.draft import Draft
from fgc.compiler.naming import stack_logical_id
from fgc.compiler.problems import spec_error
from fgc.compiler.stackset import ROOT, Part, StackSet, WiringError
from fgc.compiler.tags import apply_tags
from fgc.compiler.templates import readable
from fgc.spec.errors import SpecError
from fgc.spec.models import Spec


def compile(spec: Spec, ctx: CompileContext | None = None) -> StackSet:
    """Compile ``spec`` into its stack set. Pure: same spec, same bytes."""
    ctx = ctx or CompileContext()
    parameters = {**root.tag_parameters(spec, ctx.image_tags), **root.weight_parameters(spec)}
    drafts = _drafts(spec, ctx)
    _check_override_targets(
        spec, [ROOT, *(draft.name for draft in drafts), *([registries.NAME] if spec.registries else [])]
    )
    nested = _parts(spec, drafts)
    try:
        root_template = root.build(spec, nested)
    except WiringError as err:
        if not spec.overrides:
            raise
        # the builders' own wiring is tested; with overrides, those most likely broke it
        raise spec_error(spec, ("overrides",), f"the templates no longer fit together: {err}") from None
    root_part = Part(ROOT, spec.stack_name, _finish(spec, ROOT, root_template.to_dict()))
    external = root.external_parameters(nested)
    stack_set = StackSet(spec.stack_name, (root_part, *nested), parameters, dict(spec.tags), external)
    limits.check(spec, stack_set)
    return stack_set


def compile_registries(spec: Spec) -> StackSet | None:
    """The application's registries as their own stack set (``<app>-registries``, one template,
    no nested stacks), or None when the spec declares none. Shared by every environment and
    deployed before them: the environments' roots take its outputs as parameters."""
    if not spec.registries:
        return None
    draft = registries.build(spec)
    part = Part(ROOT, spec.registries_stack_name, _finish(spec, registries.NAME, draft.template.to_dict()))
    return StackSet(spec.registries_stack_name, (part,), {}, dict(spec.tags))


def _drafts(spec: Spec, ctx: CompileContext) -> list[Draft]:
    """The nested parts ``spec`` has, in stack set order, as their builders leave them."""
    assignment = priorities.assign(_routes(spec))
    drafts = []
    if spec.network.existing is None:
        drafts.append(network.build(spec, ctx))
    drafts.append(cluster.build(spec, ctx))
    for name in spec.services:
        priority = assignment.priorities.get(name)
        after = tuple(assignment.displaced.get(name, ()))
        after += service_connect.publishers_first(spec, name, assignment.displaced)
        drafts.append(service.build(spec, name, priority, after))
    return drafts


def _parts(spec: Spec, drafts: list[Draft]) -> list[Part]:
    """Every draft made final; the overrides that fail in any of them are reported together."""
    parts, problems = [], []
    for draft in drafts:
        try:
            parts.append(_part(spec, draft))
        except SpecError as err:
            problems += err.problems
    if problems:
        raise SpecError(problems)
    return parts


def _part(spec: Spec, draft: Draft) -> Part:
    """A built part made final: tagged, overridden, with the logical id the root holds it by."""
    return Part(
        draft.name,
        stack_logical_id(draft.name),
        _finish(spec, draft.name, draft.template.to_dict()),
        draft.sources,
        draft.depends_on,
        draft.service,
    )


def _finish(spec: Spec, name: str, template: dict[str, Any]) -> dict[str, Any]:
    """Tags on every taggable resource, then the user's overrides (last, so they win)."""
    template = readable({"AWSTemplateFormatVersion": "2010-09-09", **template})
    apply_tags(template, spec.tags)
    ops = spec.overrides.get(name)
    return overrides.apply(spec, name, template, ops) if ops else template


def _check_override_targets(spec: Spec, names: list[str]) -> None:
    """``overrides`` may only name the parts this spec compiles to."""
    listed = ", ".join(names)
    unknown = [name for name in spec.overrides if name not in names]
    if unknown:
        message = "no template named {!r} (templates: {})"
        raise SpecError([spec.problem_at(("overrides", n), message.format(n, listed)) for n in unknown])


def _routes(spec: Spec) -> dict[str, priorities.Route]:
    """The services behind the load balancer and their rule conditions. Their limits (condition
    values per rule, rules per listener) are checked where every spec is loaded (spec.deployable)."""
    routes = {}
    for name, svc in spec.services.items():
        if svc.http is not None:
            paths = priorities.path_values(svc.http.path)
            routes[name] = priorities.Route(has_host=bool(svc.http.host), paths=tuple(paths))
    return routes
