"""Load, compile and lint (:func:`compiler.pipeline.prepare`), refusing lint errors: everything that
must succeed before anything is sent to AWS."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fgc.compiler import StackSet
from fgc.compiler.builds import ServiceImage
from fgc.compiler.lint import Finding, Linter
from fgc.compiler.pipeline import prepare
from fgc.deployer.errors import LintFailed, Recovery
from fgc.spec.models import Spec


@dataclass(frozen=True)
class Built:
    """A loaded spec, its stack set, and the lint findings that do not block (warnings)."""

    spec: Spec
    templates: StackSet
    warnings: list[Finding] = field(default_factory=list)
    registries: StackSet | None = None
    images: list[ServiceImage] = field(default_factory=list)


def build(
    path: str | Path,
    env: str | None = None,
    *,
    region: str | None = None,
    check: bool = True,
    linter: Linter | None = None,
    platform: str | None = None,
) -> Built:
    """Load ``path`` (``SpecError``), compile it, and lint it (:class:`LintFailed` on errors).

    ``region`` is an explicit ``--region``; lint runs for the region the deploy goes to
    (:func:`compiler.pipeline.region_for`). ``linter`` is the run's, warmed up early.
    """
    prepared = prepare(path, env, region=region, lint=check, linter=linter, platform=platform)
    if prepared.errors:
        raise LintFailed(
            "the templates have lint errors; nothing was sent to AWS:\n"
            + "\n".join(f"  {f}" for f in prepared.errors),
            recovery=Recovery.READ_TEMPLATES,
        )
    return Built(
        prepared.spec, prepared.templates, prepared.warnings, prepared.registries, list(prepared.images)
    )
