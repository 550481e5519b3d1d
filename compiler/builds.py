"""Images a spec builds from source (``image: {build: ..., registry: ...}``) and their tags.

This reads the files beside fargate.yaml (the build contexts) and is therefore not part of
:func:`fgc.compiler.compile`, which stays pure: ``fgc render``, ``build``, ``push`` and
``deploy`` call :func:`image_tags` first and hand the tags over in
``CompileContext.image_tags``. No boto3 and no builder here, so ``fgc render`` shows the tag
a deploy would push without building anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from fgc.spec.builds import problems
from fgc.spec.errors import SpecError, UsageError
from fgc.spec.models import BuildConfig, ImageRef, Spec

if TYPE_CHECKING:
    from fgc.compiler.build_context import ImageBuild

#: The service's ``platform`` as builders spell it (``--platform``).
BUILDER_PLATFORMS = {"linux/x86_64": "linux/amd64", "linux/arm64": "linux/arm64"}


@dataclass(frozen=True)
class ServiceImage:
    """The main image of one service built from source: what to build, where it goes, its tag."""

    service: str
    registry: str
    build: ImageBuild
    tag: str


def service_images(
    spec: Spec, services: Iterable[str] | None = None, platform: str | None = None
) -> list[ServiceImage]:
    """The images ``spec`` builds (of ``services`` only, when given), with their tags.

    The tag is the one written in fargate.yaml, else the content tag. ``platform`` (a
    builder's ``--platform``) replaces the services' own. Raises :class:`SpecError` for a
    missing context or Dockerfile and :class:`UsageError` for a service that is not built.
    """
    wanted = list(services or [])
    unknown = [name for name in wanted if name not in spec.services]
    if unknown:
        raise UsageError(f"no service {', '.join(unknown)}", f"services: {', '.join(spec.services)}")
    built = dict(_built(spec, wanted or None))
    not_built = [name for name in wanted if name not in built]
    if not_built:
        raise UsageError(
            f"{', '.join(not_built)}: no image to build (fargate.yaml gives no build: for it)",
            f"services built from source: {', '.join(name for name, _ in _built(spec, None)) or 'none'}",
        )
    found = problems(spec)
    if found:
        raise SpecError(found)
    from fgc.compiler.build_context import content_tag  # reads files: only when tags are wanted

    images = []
    for name, ref in built.items():
        config = ref.build_config
        assert config is not None
        build = _image_build(spec, config, platform or BUILDER_PLATFORMS[spec.services[name].platform])
        images.append(ServiceImage(name, ref.registry, build, ref.tag or content_tag(build)))
    return images


def image_tags(spec: Spec, platform: str | None = None) -> dict[str, str]:
    """Service -> tag of every image ``spec`` builds: what ``CompileContext.image_tags`` takes."""
    return {image.service: image.tag for image in service_images(spec, platform=platform)}


def _built(spec: Spec, services: list[str] | None) -> list[tuple[str, ImageRef]]:
    return [
        (name, service.image)
        for name, service in spec.services.items()
        if isinstance(service.image, ImageRef)
        and service.image.build is not None
        and (services is None or name in services)
    ]


def _image_build(spec: Spec, config: BuildConfig, platform: str | None) -> ImageBuild:
    from fgc.compiler.build_context import ImageBuild

    return ImageBuild(
        context=spec.folder / config.context,
        dockerfile=Path(config.dockerfile) if config.dockerfile else None,
        target=config.target,
        args=dict(config.args),
        platform=platform,
    )
