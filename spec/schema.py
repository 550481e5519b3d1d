"""JSON Schema (draft 2020-12) of fargate.yaml, generated from the models.

The schema describes what a user may write *before* interpolation: any scalar
may instead be a string holding a ``${VAR}`` reference, since it is checked
only after the environment is substituted.
"""

from __future__ import annotations

import json
from typing import cast

from fgc.spec.models import Spec

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INTERPOLATED = {"type": "string", "pattern": r"\$\{[^}]+\}", "description": "a ${VAR} reference"}
_ANNOTATIONS = ("title", "description", "default", "examples")


def schema() -> dict:
    """The schema of the input form: what a user may write, before normalisation."""
    document = cast(dict, _allow_references(Spec.model_json_schema(mode="validation", by_alias=True)))
    return {"$schema": DIALECT, "$id": "https://fgc.dev/fargate.schema.json", **document}


def schema_text() -> str:
    """The schema as stable, pretty JSON text."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def _allow_references(node: object) -> object:
    """Let every constrained scalar also be a ``${VAR}`` string."""
    if isinstance(node, list):
        return [_allow_references(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _allow_references(value) for key, value in node.items()}
    if _is_constrained_scalar(node):
        outer = {key: node.pop(key) for key in _ANNOTATIONS if key in node}
        return {**outer, "anyOf": [node, INTERPOLATED]}
    return node


def _is_constrained_scalar(node: dict) -> bool:
    kind = node.get("type")
    if kind in ("integer", "number", "boolean"):
        return True
    return kind == "string" and ("pattern" in node or "enum" in node) or "enum" in node or "const" in node
