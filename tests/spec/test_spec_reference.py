"""The reference in docs/ documents every key the models accept."""

from __future__ import annotations

import typing
from pathlib import Path

from fgc.spec.models import Spec
from pydantic import BaseModel

REFERENCE = (Path(__file__).resolve().parents[2] / "docs" / "fargate-yaml.md").read_text()


def _models(model: type[BaseModel], seen: set) -> None:
    if model in seen:
        return
    seen.add(model)
    for field in model.model_fields.values():
        stack = [field.annotation]
        while stack:
            annotation = stack.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                _models(annotation, seen)
            stack.extend(typing.get_args(annotation))


def test_every_key_is_documented():
    models: set = set()
    _models(Spec, models)
    missing = sorted(
        f"{model.__name__}.{field.alias or name}"
        for model in models
        for name, field in model.model_fields.items()
        if f"`{field.alias or name}`" not in REFERENCE and f".{field.alias or name}`" not in REFERENCE
    )
    assert missing == []
