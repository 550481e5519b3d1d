"""``load`` / ``loads``: text -> interpolated, overlaid, validated :class:`Spec`.

Every problem found in one run is collected and raised together as one
:class:`SpecError`, so a user fixes a file in one pass, not one error a run.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path as FilePath

from fgc.spec import interpolate, overlay, problems
from fgc.spec.errors import Problem, SpecError, UsageError
from fgc.spec.models import Spec
from fgc.spec.yamlsource import Source, YamlError, parse
from pydantic import ValidationError


def load(
    path: str | os.PathLike[str], env: str | None = None, environ: Mapping[str, str] | None = None
) -> Spec:
    """Read and validate the fargate.yaml at ``path`` (with environment overlay ``env``)."""
    return loads(read(path), filename=str(path), env=env, environ=environ)


def read(path: str | os.PathLike[str]) -> bytes:
    """The bytes of the file at ``path``; an unreadable file is a :class:`UsageError`."""
    file = FilePath(path)
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{file}: no such file", hint="`fgc init` writes a starter fargate.yaml") from None
    except IsADirectoryError:
        raise UsageError(f"{file}: is a directory, not a fargate.yaml") from None
    except OSError as err:
        raise UsageError(f"{file}: cannot read ({err.strerror})") from None


def loads(
    text: str | bytes,
    filename: str = "fargate.yaml",
    env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Spec:
    """Validate a fargate.yaml given as text; ``environ`` defaults to the process environment."""
    source = read_source(text, filename)
    found = interpolate.interpolate(source, os.environ if environ is None else environ)
    if env is not None:
        found += overlay.apply(source, env)
    spec = _validate(source, found)
    spec._env = env
    spec._source = source
    return spec


def read_source(text: str | bytes, filename: str) -> Source:
    """Parse the text into a :class:`Source` whose data is a map, or raise :class:`SpecError`.

    Each caller gets its own copy to interpolate and overlay; the parse itself is kept,
    because `fgc validate` loads one text once per environment.
    """
    return _parsed(text, filename).copy()


@functools.lru_cache(maxsize=4)
def _parsed(text: str | bytes, filename: str) -> Source:
    try:
        source = parse(text, filename)
    except YamlError as err:
        raise SpecError([err.problem]) from None
    if not isinstance(source.data, dict):
        raise SpecError(
            [Problem(filename, 1, 1, "", "the document must be a map of keys (app, services, ...)")]
        )
    return source


def environments(text: str | bytes, filename: str = "fargate.yaml") -> list[str]:
    """The environment names a document declares (for `fgc validate` to check each one)."""
    return overlay.known_environments(_parsed(text, filename).data)  # read only: no copy needed


def _validate(source: Source, found: list[Problem]) -> Spec:
    try:
        spec = Spec.model_validate(source.data)
    except ValidationError as err:
        found += _without_echoes(problems.from_validation(err, source, Spec), found)
        raise SpecError(found) from None
    if found:
        raise SpecError(found)
    return spec


def _without_echoes(validation: list[Problem], earlier: list[Problem]) -> list[Problem]:
    """Drop validation errors on values whose interpolation already failed: they repeat the cause."""
    failed = {problem.path for problem in earlier}
    return [p for p in validation if not any(p.path == f or p.path.startswith(f + ".") for f in failed)]
