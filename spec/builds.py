"""Checks of ``image.build`` that read the disk: the context folder and its Dockerfile exist.

Not part of the model's validation (``spec.load`` reads fargate.yaml only, so a spec can be
loaded where its sources are not, as the golden tests do): ``fgc validate`` and every command
that computes content tags (``compiler.builds``) run them, each problem at the ``build`` key's
line. Build contexts are relative to the folder of fargate.yaml.
"""

from __future__ import annotations

from fgc.spec.errors import Problem
from fgc.spec.models import ImageRef, Spec


def problems(spec: Spec) -> list[Problem]:
    """Each build whose context folder or Dockerfile is missing, at the ``build`` key's line."""
    found = []
    for name, service in spec.services.items():
        config = service.image.build_config if isinstance(service.image, ImageRef) else None
        if config is None:
            continue
        at = ("services", name, "image", "build")
        context = spec.folder / config.context
        dockerfile = context / (config.dockerfile or "Dockerfile")
        if not context.is_dir():
            found.append(spec.problem_at(at, f"the build context {context} is not a folder"))
        elif not dockerfile.is_file():
            found.append(spec.problem_at(at, f"no Dockerfile at {dockerfile}"))
    return found
