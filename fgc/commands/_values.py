"""A plan's property values as short lines: ``ContainerDefinitions[0].Image: ...:v1.0.0 -> ...:v1.1.0``.

The plan holds whole values (secrets already masked); a reviewer needs the part that
differs. A long common beginning (a registry host, an ARN's account and region) is cut to
``...`` at its last ``/`` or ``:``, and what is still long keeps its end from a separator on
(``...:task-definition/web:3``), or its start and end when it has no separator there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgc.deployer.plan import PropertyChange, ResourceChange

#: Longest value shown whole.
WIDTH = 60
#: A common beginning shorter than this is kept (cutting it would hide more than it saves).
SHARED = 12
SEPARATORS = "/:"


def value_lines(change: ResourceChange) -> list[str]:
    """One line per changed leaf of ``change``."""
    return [value_line(value) for value in change.values]


def value_line(value: PropertyChange) -> str:
    before, after = shorten_pair(value.before, value.after)
    if not value.after_known:
        after = "(known after deploy)"
    return (
        f"{value.path}: {'(none)' if before is None else before} -> {'(removed)' if after is None else after}"
    )


def shorten_pair(before: str | None, after: str | None) -> tuple[str | None, str | None]:
    """Both values with their long common beginning cut, each then fitted to :data:`WIDTH`."""
    if before is not None and after is not None:
        shared = _shared_prefix(before, after)
        if shared >= SHARED:
            before, after = "..." + before[shared:], "..." + after[shared:]
    return _fit(before), _fit(after)


def _shared_prefix(a: str, b: str) -> int:
    """Length of the common beginning, ended after its last separator (0 without one)."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    cut = max(a.rfind(sep, 0, n) for sep in SEPARATORS)
    return cut if cut > 0 else 0


def _fit(value: str | None) -> str | None:
    """A long value's end (where ARNs, URIs and image references say what they are), cut at a
    separator; its start and end when it has none there."""
    if value is None or len(value) <= WIDTH:
        return value
    start = len(value) - (WIDTH - 3)
    cut = min((i for i in (value.find(sep, start) for sep in SEPARATORS) if i >= 0), default=-1)
    if cut >= 0 and len(value) - cut >= SHARED:
        return "..." + value[cut:]
    half = (WIDTH - 3) // 2
    return f"{value[:half]}...{value[-half:]}"
