"""Image references: what goes in the task definition, what the execution role may pull.

A service's main image tag is a root parameter (``ImageTag`` in the service stack), so
a new tag is a parameter change and the service template stays byte-identical.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fgc.compiler.naming import pascal
from fgc.spec.models import ImageRef
from troposphere import Ref, Sub

_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$"
)

TAG_PARAMETER = "ImageTag"


@dataclass(frozen=True)
class Image:
    """A parsed image: ``repository`` + ``separator`` (``:`` or ``@``) + ``tag`` (tag or digest)."""

    repository: str  # literal repository, e.g. "nginx" or "<acct>.dkr.ecr.../app" ("" with a registry)
    registry: str | None  # or a name from the spec's ``registries``
    separator: str
    tag: str

    def reference(self, tag_parameter: str | None) -> Any:
        """The task definition's ``Image``: the tag from a parameter when given, else literal."""
        tag = f"${{{tag_parameter}}}" if tag_parameter else self.tag.replace("${", "${!")
        if self.registry is not None:
            return Sub(f"${{{registry_parameter(self.registry, 'Uri')}}}{self.separator}{tag}")
        repository = self.repository.replace("${", "${!")
        if tag_parameter:
            return Sub(f"{repository}{self.separator}{tag}")
        return f"{self.repository}{self.separator}{self.tag}"

    def ecr_arn(self) -> Any | None:
        """The ECR repository ARN to allow pulls from, or None for images outside ECR."""
        if self.registry is not None:
            return Ref(registry_parameter(self.registry, "Arn"))
        host, _, path = self.repository.partition("/")
        match = _ECR_HOST.match(host)
        if not match or not path:
            return None
        region = match["region"]
        partition = (
            "aws-cn" if host.endswith(".cn") else "aws-us-gov" if region.startswith("us-gov") else "aws"
        )
        return f"arn:{partition}:ecr:{region}:{match['account']}:repository/{path}"

    @property
    def registry_names(self) -> list[str]:
        return [self.registry] if self.registry else []


def registry_parameter(registry: str, what: str) -> str:
    """Service-stack parameter (= registries-stack output) name: ``FlaskApiRepositoryUri``."""
    return f"{pascal(registry)}Repository{what}"


def parse(image: str | ImageRef) -> Image:
    """Split ``repo[:tag]``, ``repo@digest`` or a ``{registry, tag}`` reference."""
    if isinstance(image, ImageRef):
        return Image("", image.registry, ":", image.tag or "")  # built: the tag comes from the context
    if "@" in image:
        repository, _, digest = image.partition("@")
        return Image(repository, None, "@", digest)
    head, _, last = image.rpartition("/")
    name, colon, tag = last.partition(":")
    repository = f"{head}/{name}" if head else name
    return Image(repository, None, ":", tag if colon else "latest")
