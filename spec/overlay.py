"""Environment overlays: ``environments.<name>`` merged onto the document.

Maps merge deeply, lists replace, ``null`` removes a key. Positions move with
the values, so an error in a value an overlay set points at the overlay's line.
"""

from __future__ import annotations

from fgc.spec.errors import Problem, UsageError
from fgc.spec.yamlsource import Path, Source, copy_data


def known_environments(data: object) -> list[str]:
    """Names of the document's environments, as written."""
    environments = data.get("environments") if isinstance(data, dict) else None
    return [str(name) for name in environments] if isinstance(environments, dict) else []


def apply(source: Source, env: str) -> list[Problem]:
    """Merge the overlay ``env`` onto ``source.data`` in place; a non-map overlay is a problem."""
    data = source.data
    known = known_environments(data)
    if env not in known or not isinstance(data, dict):
        listed = ", ".join(known) if known else "none: the file has no environments"
        raise UsageError(f"unknown environment {env!r} (known: {listed})")
    overlay = data["environments"][env]
    origin: Path = ("environments", env)
    if overlay is None:
        return []
    if not isinstance(overlay, dict):
        return [source.problem(origin, "an environment is a map of keys to change")]
    _merge(source, data, overlay, (), origin)
    return []


def _merge(source: Source, base: dict, overlay: dict, path: Path, origin: Path) -> None:
    for key, value in overlay.items():
        here, there = (*path, key), (*origin, key)
        if value is None:
            base.pop(key, None)
            continue
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(source, base[key], value, here, there)
            continue
        base[key] = copy_data(value)
        _move_positions(source, there, here)


def _move_positions(source: Source, origin: Path, target: Path) -> None:
    """Positions under ``target`` now come from the overlay written at ``origin``."""
    for table in (source.keys, source.values):
        for path in [p for p in table if p[: len(target)] == target]:
            del table[path]
        for path, position in [(p, pos) for p, pos in table.items() if p[: len(origin)] == origin]:
            table[target + path[len(origin) :]] = position
