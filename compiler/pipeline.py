"""Load -> compile -> lint: the one pipeline behind ``fgc render``, ``fgc diff`` and ``fgc deploy``.

Render writes what this returns; the deployer (``deployer.build``) refuses lint
errors before anything is sent to AWS. Both use the same region rule
(:func:`region_for`), so a template is linted for the region it is deployed to.

This module imports neither boto3 nor, until :func:`prepare` runs, pydantic or
troposphere: a command calls :func:`input_key` and :meth:`Linter.warm_up` first,
so cfn-lint loads in a child process while the spec is read and compiled.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fgc.compiler.lint import DEFAULT_REGION, Finding, Linter

if TYPE_CHECKING:
    from fgc.compiler.builds import ServiceImage
    from fgc.compiler.stackset import StackSet
    from fgc.spec.models import Spec

#: The variables that name a region when neither ``--region`` nor the spec does, in order.
REGION_VARIABLES = ("AWS_REGION", "AWS_DEFAULT_REGION")


def region_named(
    explicit: str | None, spec_region: str | None, environ: Mapping[str, str] | None = None
) -> str | None:
    """The region asked for: ``--region``, else the spec's ``region``, else ``AWS_REGION``,
    else ``AWS_DEFAULT_REGION``; None when nothing names one.

    The deployer's session takes this and falls back on boto3's own lookup (the
    profile's configured region) only after it.
    """
    environ = os.environ if environ is None else environ
    return explicit or spec_region or next((environ[v] for v in REGION_VARIABLES if environ.get(v)), None)


def region_for(
    explicit: str | None, spec_region: str | None, environ: Mapping[str, str] | None = None
) -> str:
    """The region to lint for: :func:`region_named`, else cfn-lint's default (us-east-1)."""
    return region_named(explicit, spec_region, environ) or DEFAULT_REGION


@dataclass(frozen=True)
class Prepared:
    """A loaded spec, its compiled templates, the region linted for and the findings.

    ``findings`` is None when linting was skipped.
    """

    spec: Spec
    templates: StackSet
    region: str
    findings: list[Finding] | None
    #: the application's ``<app>-registries`` stack set (None without registries), linted too
    registries: StackSet | None = None
    #: the services' images built from source, with their tags (in ``templates``' parameters)
    images: tuple[ServiceImage, ...] = ()

    @property
    def errors(self) -> list[Finding]:
        """The findings that make the templates undeployable."""
        return [f for f in self.findings or () if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """The findings that are shown but do not block (warnings, and the informational rules kept)."""
        return [f for f in self.findings or () if f.level != "error"]


def prepare(
    path: str | Path,
    env: str | None = None,
    *,
    region: str | None = None,
    lint: bool = True,
    linter: Linter | None = None,
    platform: str | None = None,
) -> Prepared:
    """Load ``path`` with the overlay ``env`` (``SpecError``), compile it, and lint it unless ``lint``
    is False. Lint findings are returned, never raised: render writes templates with errors so
    their lines can be read; the deployer refuses them.

    ``region`` is an explicit ``--region``; see :func:`region_for`. ``linter`` is the run's
    :class:`Linter` (one that was warmed up); a fresh one is used otherwise. ``platform``
    replaces the services' own for the images built from source (and so their content tags).
    """
    from fgc.compiler.build import compile, compile_registries
    from fgc.compiler.builds import service_images
    from fgc.compiler.context import CompileContext

    from fgc import spec

    document = spec.load(path, env=env)
    # the images built from source: their tags read from the build contexts (nothing is built)
    images = tuple(service_images(document, platform=platform))
    templates = compile(document, CompileContext(image_tags={i.service: i.tag for i in images}))
    registries = compile_registries(document)
    chosen = region_for(region, document.region)
    findings = None
    if lint:
        linter = linter or Linter()
        findings = [
            f
            for each in (templates, registries)
            if each is not None
            for f in linter.lint(each, regions=[chosen])
        ]
    return Prepared(document, templates, chosen, findings, registries, images)


def input_key(path: str | Path, env: str | None, region: str | None = None) -> str | None:
    """What :func:`prepare` will lint, hashed before it runs: fgc's version, the spec's bytes,
    the overlay, the variables the spec reads (``${VAR}``, by :mod:`spec.interpolate`'s
    own grammar) and those that pick the region. None when the file cannot be read (the
    load that follows reports why). Lets a warm run skip the cfn-lint warm-up
    (see :meth:`Linter.warm_up`).
    """
    from fgc.spec.interpolate import variables

    from fgc import __version__

    try:
        text = Path(path).read_bytes()
    except OSError:
        return None
    names = [*variables(text.decode("utf-8", "replace")), *REGION_VARIABLES]
    values = [repr((name, os.environ.get(name))).encode() for name in names]
    parts = [__version__.encode(), (env or "").encode(), (region or "").encode(), text, *values]
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def warmed_linter(path: str | Path, env: str | None, region: str | None = None) -> Linter:
    """A :class:`Linter` for this run, already loading cfn-lint unless the results are all cached.

    Call it first thing: the child loads cfn-lint while the caller imports and compiles.
    """
    linter = Linter()
    linter.warm_up(input_key(path, env, region))
    return linter
