"""Images in moto's own ECR backend: what a push stores, what a pull reads, what a lifecycle expires.

A pushed manifest becomes a moto `Image` (through `ECRBackend.put_image`, with the manifest's real
sha256 digest), so `describe_images`, `list_images` and `batch_get_image` show it, and the rest of
the emulator (ECS pulling a task's image) finds it where ECR keeps it. Blobs a repository holds are
recorded in moto's `Repository.layers` (digest -> size), as `CompleteLayerUpload` does.

ECR behaviours modelled here, from the Amazon ECR User Guide:
- A mutable tag pushed again moves to the new image; the image it leaves stays, untagged (what
  lifecycle rules with `tagStatus: untagged` then expire).
- "Preventing image tags from being overwritten": with tag immutability on, pushing an image with a
  tag already in the repository fails with `ImageTagAlreadyExistsException`; through the registry
  API a client sees ECR's `TAG_INVALID` "... cannot be overwritten because the repository is
  immutable". Pushing the very same manifest again is not an overwrite, and succeeds.
- "Lifecycle policy properties" and "Examples of lifecycle policies" (Example A): rules apply by
  `rulePriority`, lowest first; each rule counts every image it selects, but never expires one a
  higher-priority rule selected; `imageCountMoreThan` keeps the newest `countNumber` images (by push
  time) and expires the rest; `sinceImagePushed` expires images older than `countNumber` days.
  ECR expires within 24 hours ("Automate the cleanup of images by using lifecycle policies"); the
  emulator evaluates right after each push, so a test (or a rehearsal) sees the outcome at once.
"""

from __future__ import annotations

import hashlib
import json
import time
from fnmatch import fnmatchcase
from typing import Any

from moto.ecr import models as ecr_models
from moto.ecr.models import ecr_backends

from .blobs import DIGEST

MANIFEST_TYPES = frozenset(
    {
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    }
)
_DAY = 86400


class ImageError(Exception):
    """A push or pull ECR refuses; `code` is the distribution API's error code."""

    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def repository(account: str, region: str, name: str) -> Any:
    """moto's repository `name`, or NAME_UNKNOWN worded as ECR's registry API words it."""
    repo = ecr_backends[account][region].repositories.get(name)
    if repo is None:
        raise ImageError(
            "NAME_UNKNOWN",
            f"The repository with name '{name}' does not exist in the registry with id '{account}'",
            404,
        )
    return repo


def add_blob(repo: Any, digest: str, size: int) -> None:
    repo.layers[digest] = size


def has_blob(repo: Any, digest: str) -> bool:
    return digest in repo.layers


def find_image(repo: Any, reference: str) -> Any | None:
    """The image a tag or a digest names."""
    for image in repo.images:
        if reference == image.get_image_digest() or reference in image.image_tags:
            return image
    return None


def put_manifest(account: str, region: str, repo: Any, reference: str, body: bytes, media_type: str) -> str:
    """Store a pushed manifest under a tag (or by digest alone) and return its digest."""
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    manifest = _parse(body, media_type)
    missing = [d for d in _referenced_blobs(manifest, media_type) if not has_blob(repo, d)]
    if missing:
        raise ImageError("MANIFEST_BLOB_UNKNOWN", f"Blob {missing[0]} is not in repository {repo.name}", 400)
    tag: str | None = reference
    if DIGEST.fullmatch(reference):
        if reference != digest:
            raise ImageError("DIGEST_INVALID", f"Manifest digest {digest} does not match {reference}", 400)
        tag = None
    existing = find_image(repo, tag) if tag else find_image(repo, digest)
    if existing is not None and existing.get_image_digest() == digest:
        return digest  # the same image again: ECR accepts a re-push of what it already holds
    if tag and existing is not None and repo.is_tag_immutable():
        raise ImageError(
            "TAG_INVALID",
            f"The image tag '{tag}' already exists in the '{repo.name}' repository and cannot be "
            "overwritten because the repository is immutable.",
            400,
        )
    if tag and existing is not None:
        _untag(existing, tag)  # the tag moves; the image it leaves stays, untagged, as in ECR
    backend = ecr_backends[account][region]
    # moto annotates the tag as str, yet stores a push by digest alone (tag None) as an untagged image
    backend.put_image(repo.name, body.decode(), tag, media_type, digest)  # type: ignore[arg-type]
    expire_by_lifecycle(account, region, repo)
    return digest


def _untag(image: Any, tag: str) -> None:
    image.image_tags.remove(tag)
    image.image_tag = image.image_tags[-1] if image.image_tags else None


def _parse(body: bytes, media_type: str) -> dict[str, Any]:
    try:
        manifest = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ImageError("MANIFEST_INVALID", f"Manifest is not JSON: {err}", 400) from err
    declared = manifest.get("mediaType") if isinstance(manifest, dict) else None
    kind = media_type or declared
    if not isinstance(manifest, dict) or kind not in MANIFEST_TYPES:
        raise ImageError("MANIFEST_INVALID", f"Unsupported manifest media type '{kind}'", 400)
    return manifest


def _referenced_blobs(manifest: dict[str, Any], media_type: str) -> list[str]:
    """Config and layers of an image manifest (an index names manifests, not blobs)."""
    if media_type.endswith(("index.v1+json", "list.v2+json")):
        return []
    descriptors = [manifest.get("config") or {}, *(manifest.get("layers") or [])]
    return [str(d.get("digest")) for d in descriptors]


def expire_by_lifecycle(account: str, region: str, repo: Any) -> list[str]:
    """Apply the repository's lifecycle policy; returns the digests it expired."""
    if not repo.lifecycle_policy:
        return []
    rules = sorted(json.loads(repo.lifecycle_policy).get("rules", []), key=lambda r: r["rulePriority"])
    # newest first: push time, then push order (moto keeps whole seconds)
    images = sorted(enumerate(repo.images), key=lambda pair: (pair[1].image_pushed_at, pair[0]), reverse=True)
    matched_above: set[str] = set()  # images a higher-priority rule selected: never expired below it
    expired: list[str] = []
    clock = time.time()
    for rule in rules:
        selection = rule.get("selection", {})
        chosen = [image for _, image in images if _selects(selection, image.image_tags)]
        if selection.get("countType") == "imageCountMoreThan":
            doomed = chosen[int(selection["countNumber"]) :]
        elif selection.get("countType") == "sinceImagePushed":
            limit = clock - int(selection["countNumber"]) * _DAY
            doomed = [image for image in chosen if image.image_pushed_at < limit]
        else:
            doomed = []
        expired += [
            image.get_image_digest() for image in doomed if image.get_image_digest() not in matched_above
        ]
        matched_above.update(image.get_image_digest() for image in chosen)
    if expired:
        ecr_backends[account][region].batch_delete_image(
            repo.name, image_ids=[{"imageDigest": digest} for digest in expired]
        )
    return expired


def _selects(selection: dict[str, Any], tags: list[str]) -> bool:
    status = selection.get("tagStatus", "any")
    if status == "untagged":
        return not tags
    if status == "tagged":
        prefixes = selection.get("tagPrefixList") or []
        patterns = selection.get("tagPatternList") or []
        return bool(tags) and (
            all(any(t.startswith(p) for t in tags) for p in prefixes)
            and all(any(fnmatchcase(t, p) for t in tags) for p in patterns)
        )
    return True


# -- repository URIs ---------------------------------------------------------------------------
def serve_repository_uris(host: str) -> None:
    """Make every ECR repository's URI `<host>/<name>` (e.g. `localhost:4566/flask-api`).

    moto gives `<account>.dkr.ecr.<region>.amazonaws.com/<name>`, a host nothing local answers; the
    emulator's registry lives on its own loopback port, and a builder pushes there over plain HTTP
    (docker treats `localhost` as an insecure registry; buildah and podman take `--tls-verify=false`).
    moto's backends are process-wide, so the URIs follow the emulator started last in the process."""

    def uri(self: Any) -> str:
        return f"{host}/{self.name}"

    ecr_models.Repository.uri = property(uri, lambda self, value: None)  # type: ignore[assignment]
