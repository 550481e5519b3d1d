"""Load, compile and lint: everything that must succeed before anything is sent to AWS."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fgc.compiler import CompileContext, StackSet, compile, compile_registries, lint
from fgc.compiler.builds import ServiceImage, service_images
from fgc.deployer.errors import LintFailed
from fgc.spec.models import Spec

from fgc import spec


@dataclass(frozen=True)
class Built:
    """A loaded spec, its stack sets, the images it builds, and the lint findings that do not block.

    ``registries`` is the application's ``<app>-registries`` stack set (None without
    registries), deployed before ``templates``; ``images`` are the services' images built from
    source, each with its tag (already in ``templates``' image tag parameters)."""

    spec: Spec
    templates: StackSet
    warnings: list[Any] = field(default_factory=list)
    registries: StackSet | None = None
    images: list[ServiceImage] = field(default_factory=list)


def build(
    path: str | Path,
    env: str | None = None,
    *,
    region: str | None = None,
    check: bool = True,
    platform: str | None = None,
) -> Built:
    """Load ``path`` (``SpecError``), tag its built images, compile it and its registries stack,
    and lint both (:class:`LintFailed` on errors). ``platform`` replaces the services' own for
    the images built from source (and so changes their content tags)."""
    document = spec.load(path, env=env)
    images = service_images(document, platform=platform)
    templates = compile(document, CompileContext(image_tags={image.service: image.tag for image in images}))
    registries = compile_registries(document)
    if not check:
        return Built(document, templates, registries=registries, images=images)
    regions = [region or document.region or "us-east-1"]
    findings = [*lint(templates, regions=regions), *(lint(registries, regions=regions) if registries else [])]
    errors = [f for f in findings if f.level == "error"]
    if errors:
        raise LintFailed(
            "the templates have lint errors; nothing was sent to AWS:\n"
            + "\n".join(f"  {f}" for f in errors),
            "see `fgc render` for the templates these lines refer to",
        )
    return Built(document, templates, [f for f in findings if f.level != "error"], registries, images)
