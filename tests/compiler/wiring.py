"""Checks of root <-> child wiring, which cfn-lint cannot see across nested templates.

Every nested stack gets exactly the parameters its template declares; every
``Fn::GetAtt <Stack>.Outputs.<Name>`` names an output that child really has; every
nested TemplateURL is the child's content hash.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fgc.compiler import StackSet
from fgc.compiler.naming import stack_logical_id


def _get_atts(value: Any) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        if "Fn::GetAtt" in value:
            stack, attribute = value["Fn::GetAtt"]
            yield stack, attribute
        for item in value.values():
            yield from _get_atts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _get_atts(item)


def check_wiring(templates: StackSet) -> list[str]:
    root = templates["root"]
    if not templates.nested:  # the registries stack set: one template, nothing to wire
        return []
    children = {stack_logical_id(name): name for name in templates if name != "root"}
    problems = []
    assert set(children) == set(root["Resources"]), "one nested stack per child template"
    for logical_id, resource in root["Resources"].items():
        child = templates[children[logical_id]]
        props = resource["Properties"]
        url = props["TemplateURL"]["Fn::Sub"]
        if url != f"${{ArtifactsUrl}}/templates/{templates.sha256(children[logical_id])}.json":
            problems.append(f"{logical_id}: TemplateURL is not the child's hash")
        passed, declared = set(props.get("Parameters", {})), set(child.get("Parameters", {}))
        if passed != declared:
            problems.append(f"{logical_id}: passes {sorted(passed)}, template declares {sorted(declared)}")
    for stack, attribute in _get_atts(root):
        output = attribute.removeprefix("Outputs.")
        if output not in templates[children[stack]].get("Outputs", {}):
            problems.append(f"root reads {stack}.{attribute}, which {children[stack]} does not output")
    used = {r["Ref"] for r in _refs(root)}
    for parameter in root["Parameters"]:
        if parameter not in used and parameter != "ArtifactsUrl":
            problems.append(f"root parameter {parameter} unused")
    given = set(templates.parameters) | set(templates.external)
    declared = set(root["Parameters"]) - {"ArtifactsUrl"}
    # an image built from source has its tag value only from the build context (compiler.builds)
    if not given <= declared or any(not name.endswith("ImageTag") for name in declared - given):
        problems.append(
            f"StackSet.parameters {sorted(templates.parameters)} and external {sorted(templates.external)} "
            f"vs root's {sorted(root['Parameters'])}"
        )
    return problems


def _refs(value: Any) -> Iterator[dict[str, str]]:
    if isinstance(value, dict):
        if "Ref" in value:
            yield value
        for item in value.values():
            yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)
