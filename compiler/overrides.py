"""``overrides``: RFC 6902 patches applied last to one named template.

The escape hatch for anything fgc does not model. Each operation is applied on its
own, and one that fails is skipped so that the next ones are checked too: the error
lists every failing operation of the template (``overrides.service-api[0]``), each
with the part of its path that exists and the keys found there, never the template.
(Unknown template names are already refused when the spec is validated.)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from fgc.spec.errors import Problem, SpecError
from fgc.spec.models import PatchOp, Spec

#: Keys listed after "keys there:" in an error; a resource has dozens of properties.
_SHOWN_KEYS = 12


def _as_op(op: PatchOp) -> dict[str, Any]:
    raw = {"op": op.op, "path": op.path}
    if op.op in ("add", "replace", "test"):
        raw["value"] = op.value
    if op.from_ is not None:
        raw["from"] = op.from_
    return raw


def apply(spec: Spec, name: str, template: dict[str, Any], ops: Sequence[PatchOp]) -> dict[str, Any]:
    """Return ``template`` with ``ops`` applied in order; failing ops raise one SpecError listing all."""
    import jsonpatch  # only specs with overrides pay for importing it
    import jsonpointer

    problems: list[Problem] = []
    for i, op in enumerate(ops):
        try:
            template = jsonpatch.JsonPatch([_as_op(op)]).apply(template, in_place=True)
        except jsonpatch.JsonPatchTestFailed:
            there = json.dumps(_resolve(template, op.path)[0])
            there = there if len(there) <= 60 else there[:57] + "..."
            problems.append(
                spec.problem_at(("overrides", name, i), f"test {op.path} failed: the value is {there}")
            )
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException):
            problems.append(spec.problem_at(("overrides", name, i), _why(op, name, template)))
    if problems:
        raise SpecError(problems)
    return template


def _why(op: PatchOp, name: str, template: dict[str, Any]) -> str:
    """Which pointer of ``op`` does not resolve in ``template``, how far it does, and what is there."""
    pointers = [op.from_] if op.from_ is not None else []
    # add, move and copy create their last step: its parent must exist
    pointers.append(op.path.rsplit("/", 1)[0] if op.op in ("add", "move", "copy") else op.path)
    for pointer in pointers:
        found, prefix, missing = _resolve(template, pointer)
        if missing is not None:
            return f"cannot {op.op} {op.path} in {name}: no {missing!r} at {prefix or '/'}{_keys(found)}"
    return f"cannot {op.op} {op.path} in {name}: its parent is not a map, or the index is past the list's end"


def _resolve(template: Any, pointer: str) -> tuple[Any, str, str | None]:
    """Walk ``pointer``: the value where it stops, the pointer to it, and the missing step (None: found)."""
    current, walked = template, ""
    for raw in pointer.split("/")[1:]:
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and step in current:
            current = current[step]
        elif isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        else:
            return current, walked, step
        walked += "/" + raw
    return current, walked, None


def _keys(value: Any) -> str:
    if isinstance(value, dict):
        keys = list(value)
        shown = ", ".join(keys[:_SHOWN_KEYS]) + (
            f", ... ({len(keys)} keys)" if len(keys) > _SHOWN_KEYS else ""
        )
        return f" (keys there: {shown})" if keys else " (an empty map)"
    if isinstance(value, list):
        return f" (a list of {len(value)})"
    return f" (a {type(value).__name__} value)"
