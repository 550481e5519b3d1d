"""Turn pydantic's validation errors into :class:`Problem` lines pinned to the file.

Pydantic reports a location in the model (with union member labels mixed
in); we walk it against the real data to get the path the user wrote, point
at the key for unknown keys and at the value otherwise, and suggest the
closest known key.
"""

from __future__ import annotations

import typing

from fgc.spec.errors import Problem
from fgc.spec.models import PATTERN_MEANING
from fgc.spec.written import Ambiguous
from fgc.spec.written import members as _members
from fgc.spec.yamlsource import Path, Source
from pydantic import BaseModel, ValidationError

_PREFIXES = ("Value error, ", "Assertion failed, ")


def from_validation(error: ValidationError, source: Source, root: type[BaseModel]) -> list[Problem]:
    """Every error of ``error`` as a problem in ``source``."""
    problems: list[Problem] = []
    for item in error.errors(include_url=False):
        kind, ctx = item["type"], item.get("ctx") or {}
        path, at_key = _resolve(item["loc"], source.data, missing=kind == "missing")
        if kind == "fgc_many":
            problems += [
                source.problem(path + _split(at), message, at_key=bool(key))
                for at, message, *key in ctx["problems"]
            ]
            continue
        if kind == "fgc_at":
            path = path + _split(ctx["at"]) if ctx["at"] else path
        message = _message(item["msg"])
        if isinstance(item.get("input"), Ambiguous):
            message = item["input"].message
        elif kind == "extra_forbidden":
            message, at_key = "unknown key" + _suggestion(root, path), True
        elif kind == "missing":
            message = "required key is missing"
        elif kind in ("model_type", "dict_type") and not isinstance(_value_at(source.data, path), dict):
            message = f"expected a map of keys, got {_describe(_value_at(source.data, path))}"
        elif kind == "string_pattern_mismatch":
            meaning = PATTERN_MEANING.get(ctx.get("pattern", ""), f"expected the form {ctx.get('pattern')}")
            message = f"{item['input']!r} is not valid: {meaning}"
        elif kind == "too_short":
            message = f"needs at least {ctx.get('min_length', 1)} item(s)"
        elif kind == "list_type":
            message = f"expected a list, got {_describe(_value_at(source.data, path))}"
        problems.append(source.problem(path, message, at_key=at_key))
    return problems


def _message(text: str) -> str:
    for prefix in _PREFIXES:
        if text.startswith(prefix):
            return text[len(prefix) :]
    return text


def _split(at: str | Path) -> Path:
    """A relative path given as a tuple, or dotted where no key holds a dot."""
    if isinstance(at, tuple):
        return at
    return tuple(int(part) if part.isdigit() else part for part in at.split(".") if part)


def _resolve(loc: tuple, data: object, *, missing: bool) -> tuple[Path, bool]:
    """The data path behind a pydantic location, skipping union labels; and whether it names a key."""
    path: list[str | int] = []
    at_key = False
    current: typing.Any = data  # walked with _contains' checks
    for index, part in enumerate(loc):
        if part == "[key]":
            at_key = True
            continue
        if _contains(current, part):
            path.append(part)
            current = current[part]
        elif missing and index == len(loc) - 1:
            path.append(part)
    return tuple(path), at_key


def _contains(container: object, part: object) -> bool:
    if isinstance(container, dict):
        return part in container
    return isinstance(container, list) and isinstance(part, int) and 0 <= part < len(container)


def _value_at(data: object, path: Path) -> object:
    for part in path:
        data = data[part]  # type: ignore[index]
    return data


def _describe(value: object) -> str:
    if value is None:
        return "nothing (null)"
    names = {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
        dict: "a map",
    }
    return names.get(type(value), type(value).__name__)


def _suggestion(root: type[BaseModel], path: Path) -> str:
    """`` (did you mean X?)`` for an unknown key, or the known keys when none is close."""
    model = _model_at(root, path[:-1])
    if model is None:
        return ""
    import difflib  # only on this error path: it costs more to import than a valid file takes to check

    known = [field.alias or name for name, field in model.model_fields.items()]
    close = difflib.get_close_matches(str(path[-1]), known, n=1, cutoff=0.6)
    if close:
        return f" (did you mean {close[0]}?)"
    return f" (known keys: {', '.join(known)})"


def _model_at(root: type[BaseModel], path: Path) -> type[BaseModel] | None:
    """The model class that validates the map at ``path``."""
    current: object = root
    for part in path:
        current = _step(current, part)
        if current is None:
            return None
    models = _models_in(current)
    return models[0] if models else None


def _step(annotation: object, part: str | int) -> object | None:
    for candidate in _members(annotation):
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            for name, field in candidate.model_fields.items():
                if part in (name, field.alias):
                    return field.annotation
        origin = typing.get_origin(candidate)
        if origin is dict and not isinstance(part, int):
            return typing.get_args(candidate)[1]
        if origin is list and isinstance(part, int):
            return typing.get_args(candidate)[0]
    return None


def _models_in(annotation: object) -> list[type[BaseModel]]:
    return [c for c in _members(annotation) if isinstance(c, type) and issubclass(c, BaseModel)]
