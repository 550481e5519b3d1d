"""Spec errors found while compiling, pinned to their place in fargate.yaml when known."""

from __future__ import annotations

from fgc.spec.errors import SpecError
from fgc.spec.models import Spec
from fgc.spec.yamlsource import Path


def spec_error(spec: Spec, path: Path, message: str) -> SpecError:
    """A SpecError at ``path`` (a tuple such as ``("overrides", "service-api", 0)``)."""
    return SpecError([spec.problem_at(tuple(path), message)])
