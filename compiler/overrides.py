"""``overrides``: RFC 6902 patches applied last to one named template.

The escape hatch for anything fgc does not model. Each operation is applied on its
own so a failure names the exact one (``overrides.service-api[0]``) as a spec error.
(Unknown template names are already refused when the spec is validated.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fgc.compiler.problems import spec_error
from fgc.spec.models import PatchOp, Spec


def _as_op(op: PatchOp) -> dict[str, Any]:
    raw = {"op": op.op, "path": op.path}
    if op.op in ("add", "replace", "test"):
        raw["value"] = op.value
    if op.from_ is not None:
        raw["from"] = op.from_
    return raw


def apply(spec: Spec, name: str, template: dict[str, Any], ops: Sequence[PatchOp]) -> dict[str, Any]:
    """Return ``template`` with ``ops`` applied in order; a failing op raises SpecError."""
    import jsonpatch  # only specs with overrides pay for importing it
    import jsonpointer

    for i, op in enumerate(ops):
        try:
            template = jsonpatch.JsonPatch([_as_op(op)]).apply(template, in_place=True)
        except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as err:
            raise spec_error(
                spec, ("overrides", name, i), f"cannot apply {op.op} {op.path} to {name}: {err}"
            ) from None
    return template
