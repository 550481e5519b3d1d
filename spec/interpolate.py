"""``${VAR}`` / ``${VAR:-default}`` / ``$$`` in string values, from the process environment.

Interpolation runs on parsed values, not on the raw text, so a variable can
never inject YAML structure and every error keeps the position of its value.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: `variables` is read before a command imports yaml
    from fgc.spec.errors import Problem
    from fgc.spec.yamlsource import Path, Source

_TOKEN = re.compile(r"\$\$|\$\{([^}]*)\}")
_REFERENCE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)(.*))?$", re.DOTALL)


def variables(text: str) -> list[str]:
    """The names of the variables ``text`` reads, sorted, each once (``$$`` escapes are not references).

    The same grammar :func:`interpolate` applies, so a caller that keys a cache on
    what a spec reads (``compiler.pipeline.input_key``) sees exactly these names.
    """
    names = set()
    for match in _TOKEN.finditer(text):
        reference = _REFERENCE.match(match.group(1) or "")
        if reference:
            names.add(reference.group(1))
    return sorted(names)


def interpolate(source: Source, environ: Mapping[str, str]) -> list[Problem]:
    """Replace references in every string value of ``source.data`` in place; return the problems."""
    problems: list[Problem] = []
    source.data = _walk(source.data, (), source, environ, problems)
    return problems


def _walk(
    value: object, path: Path, source: Source, environ: Mapping[str, str], problems: list[Problem]
) -> object:
    if isinstance(value, dict):
        return {key: _walk(item, (*path, key), source, environ, problems) for key, item in value.items()}
    if isinstance(value, list):
        return [_walk(item, (*path, index), source, environ, problems) for index, item in enumerate(value)]
    if isinstance(value, str) and "$" in value:
        return _substitute(value, path, source, environ, problems)
    return value


def _substitute(
    text: str, path: Path, source: Source, environ: Mapping[str, str], problems: list[Problem]
) -> str:
    def replace(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        reference = _REFERENCE.match(match.group(1))
        if not reference:
            problems.append(source.problem(path, f"${{{match.group(1)}}} is not a variable reference"))
            return match.group(0)
        name, operator, default = reference.groups()
        value = environ.get(name)
        if operator == ":-" and not value:
            return default
        if operator == "-" and value is None:
            return default
        if value is None:
            problems.append(
                source.problem(path, f"${{{name}}} is not set and has no default (write ${{{name}:-value}})")
            )
            return match.group(0)
        return value

    return _TOKEN.sub(replace, text)
