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
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from fgc.compiler.build_context import ImageBuild, content_tag

from .builders import SUPPORTED, Builder, BuildFailed, NoBuilder, OnLine, PushFailed, find_builder


@dataclass(frozen=True)
class PublishedImage:
    """An image in ECR: `uri` is `<repository uri>:<tag>`; `pushed` False when it was already there;
    `stand_in` True for a rehearsal's placeholder (see `put_stand_in`): nothing was built."""

    repository: str
    tag: str
    uri: str
    digest: str | None
    pushed: bool
    stand_in: bool = False


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


#: The annotation that marks a rehearsal's stand-in image (and says why it is one).
STAND_IN_ANNOTATION = "dev.fgc.stand-in"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
#: The OCI image spec's empty descriptor: the two bytes `{}`.
EMPTY_DIGEST = "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


def put_stand_in(ecr: Any, repository: str, tag: str, reason: str, repository_uri: str) -> PublishedImage:
    """Put an empty image (no layers) into ECR as `repository:tag`, marked with `STAND_IN_ANNOTATION`.

    For a `--local` rehearsal only, where no builder could build the source: the emulator's tasks
    then find an image under the content tag, and the read-back says it is a stand-in. Uses ECR's
    `PutImage` (a manifest only); real ECR would refuse a manifest whose config blob was never pushed.
    """
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.empty.v1+json", "digest": EMPTY_DIGEST, "size": 2},
            "layers": [],
            "annotations": {STAND_IN_ANNOTATION: reason},
        },
        sort_keys=True,
    )
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    ecr.put_image(
        repositoryName=repository,
        imageManifest=manifest,
        imageManifestMediaType=OCI_MANIFEST,
        imageTag=tag,
        imageDigest=digest,
    )
    return PublishedImage(repository, tag, f"{repository_uri}:{tag}", digest, pushed=True, stand_in=True)


__all__ = [
    "STAND_IN_ANNOTATION",
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
    "put_stand_in",
]
