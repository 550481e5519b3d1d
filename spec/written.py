"""Values kept as written: what a number- or bool-typed key does with a :class:`Written` scalar.

The loader keeps ``0755``, ``1.10``, ``on``, ``12:30`` as their text (SPEC.md, "Values
are kept as written"). A string-typed key takes that text. A key typed as a number or a
boolean cannot take it exactly as written, and silently choosing YAML 1.1's reading (or
pydantic's reading of the text, which differs again) is what the rule forbids: such a
value becomes an :class:`Ambiguous` marker that fails the key's type check, and the
error mapper prints the marker's message at the value's line.
"""

from __future__ import annotations

import math
import types
import typing
from typing import Any

from fgc.spec.yamlsource import Written

_TYPED = {int, float, bool, type(None)}


class Ambiguous:
    """Stands in for a :class:`Written` value given to a typed key; no type accepts it."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message

    def __repr__(self) -> str:
        return self.message


def for_typed_key(value: Written | bool, *, boolean: bool) -> object:
    """What a number- or bool-typed key receives for ``value`` (a boolean only for a number key).

    ``True``/``FALSE`` are booleans in YAML 1.1 and 1.2 alike: a bool-typed key takes them.
    """
    if isinstance(value, bool):
        return Ambiguous(f"expected a number, got {str(value).lower()}")
    reading = value.reading
    if boolean and isinstance(reading, bool) and value.lower() in ("true", "false"):
        return reading
    return Ambiguous(message(value, "true or false" if boolean else "a number"))


def message(value: Written, wanted: str) -> str:
    """Why ``value`` cannot stand where ``wanted`` is expected, and what to write instead.

    ``wanted`` is "a number", "true or false", or "a value" (a key of any type: an override).
    """
    text, reading = str(value), value.reading
    if wanted == "a value":
        if isinstance(reading, float) and not math.isfinite(reading):
            return f"{text!r} is not a finite number: a template is JSON, which has no NaN or Infinity"
        typed = message(value, "true or false" if isinstance(reading, bool) else "a number")
        return typed.split(": write")[0] + f': write it in canonical form, or quote it for text ("{text}")'
    digits = text.lstrip("+-")
    if reading is None or (digits.isdigit() and len(digits) > 18):
        shown = text if len(text) <= 24 else f"{text[:12]}...{text[-6:]}"
        return f"{shown} ({len(digits)} digits) is out of range"
    if isinstance(reading, bool):
        meaning = "true" if reading else "false"
        if wanted == "a number":
            return f"expected a number, got {text!r}"
        return f"{text!r} is {meaning} in YAML 1.1 but text in YAML 1.2: write {meaning}"
    if wanted == "true or false":
        return f"expected true or false, got {text!r}"
    if isinstance(reading, float) and not math.isfinite(reading):
        return f"{text!r} is not a finite number"
    return f"{text!r} is read as {reading!r} by YAML 1.1 (not as written): write {_plain(reading)}"


def _plain(reading: object) -> str:
    if isinstance(reading, float) and reading.is_integer():
        return str(int(reading))
    return repr(reading) if isinstance(reading, float) else str(reading)


def typed_keys(model: type) -> dict[str, bool]:
    """Input keys of ``model`` typed as a number or a bool, each with whether it is a bool.

    Computed once per model class (the first validation pays a few microseconds).
    """
    cached = _TYPED_KEYS.get(model)
    if cached is None:
        cached = {}
        for name, field in model.model_fields.items():  # type: ignore[attr-defined]
            kinds = set(members(field.annotation))
            if kinds and kinds <= _TYPED and kinds - {type(None)}:
                for key in {name, field.alias or name}:
                    cached[key] = bool in kinds
        _TYPED_KEYS[model] = cached
    return cached


_TYPED_KEYS: dict[type, dict[str, bool]] = {}


def members(annotation: Any) -> list[Any]:
    """Members of unions and the inner type of Annotated, flattened."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [member for arg in typing.get_args(annotation) for member in members(arg)]
    return [annotation]


def find(value: object, path: tuple[str | int, ...] = ()) -> list[tuple[tuple[str | int, ...], Written]]:
    """Every :class:`Written` inside ``value`` (maps and lists), with its relative path."""
    if type(value) is Written:
        return [(path, value)]
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            found += find(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += find(item, (*path, index))
    return found
