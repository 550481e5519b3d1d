"""Images fgc builds from source: their content tags, the builders, and publishing to ECR.

Library use (what deploy step 0 does for one service with `image: {build: ...}`)::

    build = ImageBuild(Path("app"), target="prod", platform="linux/amd64")
    tag = content_tag(build)                          # "src-1a2b3c4d5e6f", no builder needed
    published = publish(aws.client("ecr"), build, "flask-api", tag, on_line=print)
    published.uri, published.digest, published.pushed   # pushed is False when ECR had the tag

- `fgc.compiler.build_context`: `ImageBuild`, `content_tag` (pure: reads files only) and `.dockerignore`
  rules, re-exported here (they live beside the compiler so `fgc render` computes tags without boto3);
- `builders.py`: `find_builder`, `Builder.build` / `Builder.push`, `NoBuilder`, `BuildFailed`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from .builders import SUPPORTED, Builder, BuildFailed, NoBuilder, OnLine, PushFailed, find_builder
from fgc.compiler.build_context import ImageBuild, content_tag


@dataclass(frozen=True)
class PublishedImage:
    """An image in ECR: `uri` is `<repository uri>:<tag>`; `pushed` False when it was already there."""

    repository: str
    tag: str
    uri: str
    digest: str | None
    pushed: bool


def image_digest(ecr: Any, repository: str, tag: str) -> str | None:
    """The digest of `repository:tag` in ECR, or None when that tag is not there."""
    try:
        details = ecr.describe_images(repositoryName=repository, imageIds=[{"imageTag": tag}])["imageDetails"]
    except ecr.exceptions.ImageNotFoundException:
        return None
    return str(details[0]["imageDigest"]) if details else None


def publish(
    ecr: Any,
    build: ImageBuild,
    repository: str,
    tag: str,
    builder: Builder | None = None,
    on_line: OnLine | None = None,
    repository_uri: str | None = None,
) -> PublishedImage:
    """Build `build` and push it to ECR as `repository:tag`, unless that tag is already there.

    With immutable tags and a content tag, a tag in the repository is exactly this source, so
    skipping both the build and the push is safe: then this costs one `DescribeImages` call when
    `repository_uri` is given (e.g. from the registries stack's outputs), else also one
    `DescribeRepositories`, and needs no builder: `builder` None means `find_builder()`, asked only
    when there is something to build (so `NoBuilder` only then). ECR login uses
    `GetAuthorizationToken`; the password goes on stdin."""
    if repository_uri is None:
        found = ecr.describe_repositories(repositoryNames=[repository])["repositories"]
        repository_uri = str(found[0]["repositoryUri"])
    image = f"{repository_uri}:{tag}"
    digest = image_digest(ecr, repository, tag)
    if digest is not None:
        return PublishedImage(repository, tag, image, digest, pushed=False)
    builder = builder or find_builder()
    builder.build(build, image, on_line)
    auth = ecr.get_authorization_token()["authorizationData"][0]
    username, _, password = base64.b64decode(auth["authorizationToken"]).decode().partition(":")
    builder.push(image, auth["proxyEndpoint"], username, password, on_line)
    return PublishedImage(repository, tag, image, image_digest(ecr, repository, tag), pushed=True)


__all__ = [
    "SUPPORTED",
    "BuildFailed",
    "Builder",
    "ImageBuild",
    "NoBuilder",
    "OnLine",
    "PublishedImage",
    "PushFailed",
    "content_tag",
    "find_builder",
    "image_digest",
    "publish",
]
