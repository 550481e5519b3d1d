"""Which property leaves a change set changes, why, and their values before and after.

CloudFormation's ``DescribeChangeSet`` gives, per changed property, ``ResourceChangeDetail``
entries (API Reference): a ``Target`` (``Attribute``, ``Name``, ``RequiresRecreation``,
and with ``IncludePropertyValues`` the ``Path``, ``BeforeValue``, ``AfterValue`` and
``AttributeChangeType``), an ``Evaluation`` (``Static``: the new value is known; ``Dynamic``:
known only once the change set runs), a ``ChangeSource`` and a ``CausingEntity``:

- ``DirectModification``: the template itself changed there (no causing entity);
- ``ParameterReference``: a ``Ref`` to a parameter whose value changes (the parameter's name);
- ``ResourceReference``: a ``Ref`` to a resource whose physical id is not known yet (its
  logical id);
- ``ResourceAttribute``: an ``Fn::GetAtt`` of a resource being modified or replaced
  (``LogicalId.Attribute``);
- ``Automatic``: a nested stack CloudFormation updates because its template may have changed.

The new resolved properties are walked beside the old ones, and beside the raw template
fragments that produced them, down to the leaves that differ: a list element by index, a
map by key. Below an intrinsic function the raw fragment stays that function, so every leaf
it yields is blamed on what it refers to. Values from a ``NoEcho`` parameter are masked
(``****``) as CloudFormation masks them (Parameters ``NoEcho``, User Guide).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .intrinsics import Unknown, references, unknowns_in

#: How CloudFormation masks a NoEcho parameter's value.
MASK = "****"
#: A value the change set cannot know before it runs, in a resource's ``AfterContext``.
KNOWN_AFTER_APPLY = "{{changeSet:KNOWN_AFTER_APPLY}}"


class _Missing:
    """No value on that side: the leaf is added or removed."""


MISSING = _Missing()


@dataclass(frozen=True)
class Leaf:
    """One changed leaf: its path under ``Properties``, both values and both raw fragments."""

    path: tuple[str | int, ...]
    before: Any
    after: Any
    old_raw: Any
    new_raw: Any


def leaves(
    old: Any, new: Any, old_raw: Any, new_raw: Any, path: tuple[str | int, ...] = ()
) -> Iterator[Leaf]:
    """Every leaf where the resolved ``old`` and ``new`` differ (or ``new`` is unknown)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            yield from leaves(
                old.get(key, MISSING),
                new.get(key, MISSING),
                _below(old_raw, key),
                _below(new_raw, key),
                (*path, key),
            )
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            yield from leaves(
                old[index] if index < len(old) else MISSING,
                new[index] if index < len(new) else MISSING,
                _below(old_raw, index, len(old)),
                _below(new_raw, index, len(new)),
                (*path, index),
            )
    elif unknowns_in(new) or old != new:
        yield Leaf(path, old, new, old_raw, new_raw)


def _below(raw: Any, key: str | int, length: int = -1) -> Any:
    """The raw fragment for ``key`` inside ``raw``; an intrinsic function (or a list whose
    items do not line up with the resolved ones) stays whole."""
    if isinstance(raw, dict) and not _is_function(raw) and isinstance(key, str):
        return raw.get(key, MISSING)
    if isinstance(raw, list) and isinstance(key, int) and len(raw) == length:
        return raw[key] if key < length else MISSING
    return raw


def _is_function(raw: dict[str, Any]) -> bool:
    key = next(iter(raw), "")
    return len(raw) == 1 and (key in ("Ref", "Condition") or key.startswith("Fn::"))


def causes(
    leaf: Leaf, changed_parameters: set[str], parameters: set[str]
) -> list[tuple[str, str, str | None]]:
    """(Evaluation, ChangeSource, CausingEntity) of each reason the leaf changes."""
    found: list[tuple[str, str, str | None]] = []
    if leaf.old_raw != leaf.new_raw:
        found.append(("Static", "DirectModification", None))
    referenced = references(leaf.new_raw) if leaf.new_raw is not MISSING else set()
    found += [("Static", "ParameterReference", name) for name in sorted(referenced & changed_parameters)]
    for source in sorted(unknowns_in(leaf.after)):
        if source in parameters:
            found.append(("Dynamic", "ParameterReference", source))
        else:
            found.append(("Dynamic", "ResourceAttribute" if "." in source else "ResourceReference", source))
    return found or [("Static", "Automatic", None)]


def pointer(name: str, path: tuple[str | int, ...]) -> str:
    """``/Properties/ContainerDefinitions/0/Image``: the ``Path`` of a ``ResourceTargetDefinition``."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join([name, *parts])


def text(value: Any) -> str | None:
    """A value as ``BeforeValue`` / ``AfterValue`` give it: a string, JSON for a container,
    None when absent or not known yet."""
    if value is MISSING or isinstance(value, Unknown) or unknowns_in(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, separators=(",", ":"))


def secret(raw: Any, no_echo: set[str]) -> bool:
    """Whether a raw fragment takes its value from a ``NoEcho`` parameter."""
    return raw is not MISSING and bool(references(raw) & no_echo)


def context(properties: dict[str, Any], raw: dict[str, Any], no_echo: set[str]) -> str:
    """A ``BeforeContext`` / ``AfterContext``: the resource's properties as a JSON string,
    NoEcho values masked, values not known yet as ``KNOWN_AFTER_APPLY``."""
    return json.dumps({"Properties": _shown(properties, raw, no_echo)}, separators=(",", ":"))


def _shown(value: Any, raw: Any, no_echo: set[str]) -> Any:
    if _masks(raw, no_echo):
        return MASK
    if isinstance(value, Unknown):
        return KNOWN_AFTER_APPLY
    if isinstance(value, dict):
        return {k: _shown(v, _below(raw, k), no_echo) for k, v in value.items()}
    if isinstance(value, list):
        return [_shown(v, _below(raw, i, len(value)), no_echo) for i, v in enumerate(value)]
    return value


def _masks(raw: Any, no_echo: set[str]) -> bool:
    """An intrinsic function that reads a NoEcho parameter hides all it yields."""
    return isinstance(raw, dict) and _is_function(raw) and secret(raw, no_echo)
