"""JSON Schema (draft 2020-12) of fargate.yaml, generated from the models.

The schema describes what a user may write *before* interpolation: any scalar
may instead be a string holding a ``${VAR}`` reference, since it is checked
only after the environment is substituted. Each of ``environments`` is an
overlay: the document's own schema with every key optional, ``null`` allowed
(it removes a key) and maps partial, since they merge; lists replace, so their
items stay whole. It agrees with the validator: tests/spec/test_spec_schema_agreement.py.
"""

from __future__ import annotations

import json
from typing import cast

from fgc.spec.models import Spec
from fgc.spec.yamlsource import Written

DIALECT = "https://json-schema.org/draft/2020-12/schema"
INTERPOLATED = {"type": "string", "pattern": r"\$\{[^}]+\}", "description": "a ${VAR} reference"}
_ANNOTATIONS = ("title", "description", "default", "examples")


def schema() -> dict:
    """The schema of the input form: what a user may write, before normalisation."""
    document = cast(dict, _input_form(Spec.model_json_schema(mode="validation", by_alias=True)))
    _add_overlays(document)
    return {"$schema": DIALECT, "$id": "https://fgc.dev/fargate.schema.json", **document}


def schema_text() -> str:
    """The schema as stable, pretty JSON text."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"


def _input_form(node: object) -> object:
    """Let every constrained scalar also be a ``${VAR}`` string; close maps whose keys have a pattern.

    A map whose keys have a pattern (services, sidecars, environment) takes no other key.
    """
    if isinstance(node, list):
        return [_input_form(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _input_form(value) for key, value in node.items()}
    if "patternProperties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if _is_constrained_scalar(node):
        outer = {key: node.pop(key) for key in _ANNOTATIONS if key in node}
        return {**outer, "anyOf": [node, INTERPOLATED]}
    return node


def _is_constrained_scalar(node: dict) -> bool:
    """A scalar schema a ``${VAR}`` string would fail: a pattern, a choice, or not text at all."""
    if "pattern" in node or "enum" in node or "const" in node:
        return True
    kind = node.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return bool(kinds) and kinds <= {"integer", "number", "boolean"}


def as_editors_read(data: object) -> object:
    """``data`` as parsed by fgc, typed the way an editor's YAML 1.2 reader types it.

    fgc keeps YAML 1.1's typed forms as text (:class:`~fgc.spec.yamlsource.Written`); of
    those, YAML 1.2 types only ``True``/``TRUE``/``False``/``FALSE`` (as booleans). This is
    what the schema meets in an editor, and what the agreement tests check it against.
    """
    if isinstance(data, dict):
        return {key: as_editors_read(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_editors_read(item) for item in data]
    if isinstance(data, Written):
        return data.reading if data.lower() in ("true", "false") else str(data)
    return data


def _add_overlays(document: dict) -> None:
    """Point ``environments`` at an overlay schema of the document (``$defs/Overlay``)."""
    defs = document["$defs"]
    root = {key: document[key] for key in ("type", "properties", "additionalProperties")}
    root["properties"] = {k: v for k, v in root["properties"].items() if k != "environments"}
    defs["Overlay"] = _Partial(defs).of(root)
    environments = document["properties"]["environments"]
    overlay = {"anyOf": [{"$ref": "#/$defs/Overlay"}, {"type": "null"}]}
    environments.pop("additionalProperties", None)
    environments["patternProperties"] = {pattern: overlay for pattern in environments["patternProperties"]}
    environments["additionalProperties"] = False


class _Partial:
    """Builds the overlay form of schemas: keys optional and nullable, maps partial, lists whole."""

    def __init__(self, defs: dict) -> None:
        self.defs = defs

    def of(self, node: dict) -> dict:
        if "$ref" in node:
            return {**node, "$ref": self.ref(node["$ref"])}
        node = {
            key: value for key, value in node.items() if key not in ("required", "minProperties", "default")
        }
        for key in ("anyOf", "oneOf", "allOf"):
            if key in node:
                node[key] = [self.of(member) for member in node[key]]
        if "properties" in node:
            node["properties"] = {
                name: _nullable(self.of(value)) for name, value in node["properties"].items()
            }
        if "patternProperties" in node:
            node["patternProperties"] = {
                p: _nullable(self.of(v)) for p, v in node["patternProperties"].items()
            }
        if isinstance(node.get("additionalProperties"), dict):
            node["additionalProperties"] = _nullable(self.of(node["additionalProperties"]))
        return node

    def ref(self, target: str) -> str:
        name = target.rsplit("/", 1)[-1]
        partial = f"{name}Overlay"
        if partial not in self.defs:
            self.defs[partial] = {}  # claimed first: a model may refer to itself
            self.defs[partial] = self.of(self.defs[name])
        return f"#/$defs/{partial}"


def _nullable(node: dict) -> dict:
    return {"anyOf": [node, {"type": "null"}]}
