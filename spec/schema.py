"""JSON Schema (draft 2020-12) of fargate.yaml, generated from the models."""

from __future__ import annotations

import json

from spec.models import Spec

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def schema() -> dict:
    """The schema of the input form: what a user may write, before normalisation."""
    document = Spec.model_json_schema(mode="validation", by_alias=True)
    return {"$schema": DIALECT, "$id": "https://fgc.dev/fargate.schema.json", **document}


def schema_text() -> str:
    """The schema as stable, pretty JSON text."""
    return json.dumps(schema(), indent=2, sort_keys=True) + "\n"
