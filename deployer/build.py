"""Load, compile and lint: everything that must succeed before anything is sent to AWS."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fgc.compiler import CompileContext, StackSet, compile, lint
from fgc.deployer.errors import LintFailed
from fgc.spec.models import Spec

from fgc import spec


@dataclass(frozen=True)
class Built:
    """A loaded spec, its stack set, and the lint findings that do not block (warnings)."""

    spec: Spec
    templates: StackSet
    warnings: list[Any] = field(default_factory=list)


def build(
    path: str | Path, env: str | None = None, *, region: str | None = None, check: bool = True
) -> Built:
    """Load ``path`` (``SpecError``), compile it, and lint it (:class:`LintFailed` on errors)."""
    document = spec.load(path, env=env)
    templates = compile(document, CompileContext())
    if not check:
        return Built(document, templates)
    findings = lint(templates, regions=[region or document.region or "us-east-1"])
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise LintFailed(
            "the templates have lint errors; nothing was sent to AWS:\n"
            + "\n".join(f"  {f}" for f in errors),
            "see `fgc render` for the templates these lines refer to",
        )
    return Built(document, templates, [f for f in findings if f.level != "error"])
