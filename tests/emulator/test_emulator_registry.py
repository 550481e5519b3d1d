"""The emulator's image registry: a real builder pushes `FROM scratch` images over HTTP into its ECR.

Behaviours from the Amazon ECR documentation: `GetAuthorizationToken` gives a base64 `AWS:<password>`
token valid 12 hours and the `proxyEndpoint` to log in to; with tag immutability, pushing an existing
tag fails (`ImageTagAlreadyExistsException`; through the registry API, `TAG_INVALID`); a lifecycle
rule `imageCountMoreThan` keeps the newest images. The distribution API calls below are the ones
docker, podman and buildah make.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.images import ImageBuild, PushFailed, find_builder, publish

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"


def scratch_context(folder: Path, text: str = "hello\n") -> ImageBuild:
    """A build no base image is needed for: FROM scratch plus one file."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hello.txt").write_text(text)
    (folder / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    return ImageBuild(folder)


def keep_newest(count: int) -> str:
    rule = {
        "rulePriority": 1,
        "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": count},
        "action": {"type": "expire"},
    }
    return json.dumps({"rules": [rule]})


class Registry:
    """Raw distribution API calls with the ECR token, as a builder makes them."""

    def __init__(self, emulator: Any, ecr: Any) -> None:
        self.url = emulator.url
        token = ecr.get_authorization_token()["authorizationData"][0]["authorizationToken"]
        self.auth = f"Basic {token}"

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
        auth: str | None = None,
    ) -> tuple[int, dict[str, str], bytes]:  # fmt: skip
        request = urllib.request.Request(f"{self.url}{path}", data=body, method=method)
        request.add_header("Authorization", auth if auth is not None else self.auth)
        for key, value in (headers or {}).items():
            request.add_header(key, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - loopback
                return answer.status, dict(answer.headers), answer.read()
        except urllib.error.HTTPError as err:
            return err.code, dict(err.headers), err.read()

    def push_blob(self, name: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        status, _, _ = self.call("POST", f"/v2/{name}/blobs/uploads/?digest={digest}", data)
        assert status == 201
        return digest

    def push_image(
        self, name: str, tag: str, payload: bytes, media_type: str = OCI_MANIFEST
    ) -> tuple[int, bytes]:
        config = self.push_blob(name, b'{"architecture":"amd64","os":"linux","rootfs":{"type":"layers"}}')
        layer = self.push_blob(name, payload)
        manifest = json.dumps(
            {
                "schemaVersion": 2,
                "mediaType": media_type,
                "config": {
                    "mediaType": "application/vnd.oci.image.config.v1+json",
                    "digest": config,
                    "size": 64,
                },
                "layers": [
                    {
                        "mediaType": "application/vnd.oci.image.layer.v1.tar",
                        "digest": layer,
                        "size": len(payload),
                    }
                ],
            }
        ).encode()
        status, _, body = self.call(
            "PUT", f"/v2/{name}/manifests/{tag}", manifest, {"Content-Type": media_type}
        )
        return status, body if status != 201 else manifest


@pytest.fixture
def ecr(clean_emulator: Any, aws: Any) -> Any:
    return aws("ecr")


@pytest.fixture
def registry(clean_emulator: Any, ecr: Any) -> Registry:
    return Registry(clean_emulator, ecr)


def test_get_authorization_token_points_at_the_emulator_and_repository_uris_are_pushable(clean_emulator, ecr):
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(data["authorizationToken"]).decode().partition(":")
    assert user == "AWS" and password
    assert data["proxyEndpoint"] == clean_emulator.url
    uri = ecr.create_repository(repositoryName="flask-api")["repository"]["repositoryUri"]
    assert uri == f"{clean_emulator.registry}/flask-api" == f"localhost:{clean_emulator.port}/flask-api"
    assert ecr.describe_repositories()["repositories"][0]["repositoryUri"] == uri


def test_the_registry_refuses_requests_without_the_ecr_token(registry, ecr):
    ecr.create_repository(repositoryName="app")
    for auth in ("", "Basic " + base64.b64encode(b"AWS:guessed").decode(), "Bearer x"):
        status, headers, body = registry.call("GET", "/v2/", auth=auth)
        assert status == 401
        assert headers["WWW-Authenticate"].startswith("Basic realm=")
        assert json.loads(body)["errors"][0]["code"] == "UNAUTHORIZED"
    assert registry.call("GET", "/v2/")[0] == 200


def test_a_real_builder_pushes_a_scratch_image_that_describe_images_shows(
    clean_emulator, ecr, tmp_path, monkeypatch
):
    ecr.create_repository(repositoryName="hello", imageTagMutability="IMMUTABLE")
    builder = find_builder()
    lines: list[str] = []

    published = publish(ecr, scratch_context(tmp_path / "ctx"), "hello", "v1", builder, lines.append)

    assert published.pushed and published.uri == f"localhost:{clean_emulator.port}/hello:v1"
    details = ecr.describe_images(repositoryName="hello")["imageDetails"]
    assert [(d["imageTags"], d["imageDigest"]) for d in details] == [(["v1"], published.digest)]
    assert lines, "the builder's output streams to the callback"
    # the digest is the manifest's own sha256, as ECR reports it, and the manifest reads back whole
    image = ecr.batch_get_image(repositoryName="hello", imageIds=[{"imageTag": "v1"}])["images"][0]
    assert "sha256:" + hashlib.sha256(image["imageManifest"].encode()).hexdigest() == published.digest
    assert ecr.list_images(repositoryName="hello")["imageIds"] == [
        {"imageDigest": published.digest, "imageTag": "v1"}
    ]

    # already there: no build, no push, and no builder asked for (an unknown choice would raise)
    monkeypatch.setenv("FGC_BUILDER", "not-a-builder")
    again = publish(ecr, scratch_context(tmp_path / "ctx"), "hello", "v1", repository_uri=published.uri[:-3])
    assert not again.pushed and again.digest == published.digest and again.uri == published.uri


def test_an_immutable_tag_refuses_a_different_image(clean_emulator, ecr, tmp_path):
    ecr.create_repository(repositoryName="hello", imageTagMutability="IMMUTABLE")
    builder = find_builder()
    first = scratch_context(tmp_path / "one", "one\n")
    image = f"localhost:{clean_emulator.port}/hello:v1"
    publish(ecr, first, "hello", "v1", builder)
    token = ecr.get_authorization_token()["authorizationData"][0]
    user, _, password = base64.b64decode(token["authorizationToken"]).decode().partition(":")

    builder.build(scratch_context(tmp_path / "two", "two\n"), image)
    with pytest.raises(PushFailed) as refused:
        builder.push(image, token["proxyEndpoint"], user, password)

    assert "cannot be overwritten because the repository is immutable" in str(refused.value)
    assert password not in str(refused.value)
    assert len(ecr.describe_images(repositoryName="hello")["imageDetails"]) == 1


def test_immutable_tag_over_the_api_same_manifest_again_is_accepted(registry, ecr):
    ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    status, manifest = registry.push_image("app", "v1", b"layer one")
    assert status == 201
    again = registry.call("PUT", "/v2/app/manifests/v1", manifest, {"Content-Type": OCI_MANIFEST})
    assert again[0] == 201

    status, body = registry.push_image("app", "v1", b"layer two")

    assert status == 400
    error = json.loads(body)["errors"][0]
    assert error["code"] == "TAG_INVALID"
    assert error["message"] == (
        "The image tag 'v1' already exists in the 'app' repository and cannot be overwritten "
        "because the repository is immutable."
    )


def test_a_mutable_tag_moves_to_the_new_image_and_leaves_the_old_one_untagged(registry, ecr):
    ecr.create_repository(repositoryName="app")
    first = registry.push_image("app", "latest", b"one")[1]
    status, manifest = registry.push_image("app", "latest", b"two")
    assert status == 201
    digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    tagged = ecr.describe_images(repositoryName="app", imageIds=[{"imageTag": "latest"}])["imageDetails"]
    assert tagged[0]["imageDigest"] == digest
    untagged = ecr.list_images(repositoryName="app", filter={"tagStatus": "UNTAGGED"})["imageIds"]
    assert untagged == [{"imageDigest": "sha256:" + hashlib.sha256(first).hexdigest()}]


def test_lifecycle_keep_expires_the_oldest_images_after_a_push(registry, ecr):
    ecr.create_repository(repositoryName="app", imageTagMutability="IMMUTABLE")
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=keep_newest(2))

    for n in range(4):
        assert registry.push_image("app", f"v{n}", f"layer {n}".encode())[0] == 201

    tags = sorted(
        t for d in ecr.describe_images(repositoryName="app")["imageDetails"] for t in d["imageTags"]
    )
    assert tags == ["v2", "v3"]


def test_lifecycle_rules_follow_ecrs_example_a(registry, ecr):
    """ECR User Guide, "Examples of lifecycle policies", Example A: images A [beta-1, prod-1],
    B [beta-2, prod-2], C [beta-3]; rule 1 keeps one `prod`, rule 2 keeps one `beta`. Rule 2 would
    mark A and B, but B matched rule 1 (a higher priority), so only A is expired."""
    ecr.create_repository(repositoryName="app")
    rules = [
        {
            "rulePriority": priority,
            "selection": {"tagStatus": "tagged", "tagPrefixList": [prefix], "countType": "imageCountMoreThan",
                          "countNumber": 1},
            "action": {"type": "expire"},
        }
        for priority, prefix in ((1, "prod"), (2, "beta"))
    ]  # fmt: skip
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps({"rules": rules}))

    for image, tags in (("A", ["beta-1", "prod-1"]), ("B", ["beta-2", "prod-2"]), ("C", ["beta-3"])):
        status, manifest = registry.push_image("app", tags[0], image.encode())
        for tag in tags[1:]:
            assert (
                registry.call("PUT", f"/v2/app/manifests/{tag}", manifest, {"Content-Type": OCI_MANIFEST})[0]
                == 201
            )

    kept = sorted(sorted(d["imageTags"]) for d in ecr.describe_images(repositoryName="app")["imageDetails"])
    assert kept == [["beta-2", "prod-2"], ["beta-3"]]


def test_a_lower_rule_counts_images_a_higher_rule_selected(registry, ecr):
    ecr.create_repository(repositoryName="app")
    rules = [
        {
            "rulePriority": 1,
            "selection": {"tagStatus": "tagged", "tagPrefixList": ["prod"], "countType": "imageCountMoreThan",
                          "countNumber": 1},
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
            "action": {"type": "expire"},
        },
    ]  # fmt: skip
    ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps({"rules": rules}))

    for tag in ("prod-1", "dev-1", "prod-2"):
        assert registry.push_image("app", tag, tag.encode())[0] == 201

    # rule 2 sees prod-2 (newest) as its one kept image, so dev-1 goes; prod-2 stays by rule 1
    tags = sorted(
        t for d in ecr.describe_images(repositoryName="app")["imageDetails"] for t in d["imageTags"]
    )
    assert tags == ["prod-2"]


def test_chunked_upload_pull_and_refusals(registry, ecr):
    ecr.create_repository(repositoryName="team/app")
    data = b"x" * 3000
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    status, headers, _ = registry.call("POST", "/v2/team/app/blobs/uploads/")
    assert status == 202
    location = headers["Location"]
    status, headers, _ = registry.call("PATCH", location, data[:1000], {"Content-Range": "0-999"})
    assert (status, headers["Range"]) == (202, "0-999")
    out_of_order = registry.call("PATCH", location, data[2000:], {"Content-Range": "2000-2999"})
    assert out_of_order[0] == 416
    assert registry.call("PATCH", location, data[1000:2000], {"Content-Range": "1000-1999"})[0] == 202
    wrong = "sha256:" + "0" * 64
    assert registry.call("PUT", f"{location}?digest={wrong}", data[2000:])[0] == 400  # DIGEST_INVALID

    status, headers, _ = registry.call("POST", "/v2/team/app/blobs/uploads/")
    location = headers["Location"]
    registry.call("PATCH", location, data[:1500])
    status, headers, _ = registry.call("PUT", f"{location}?digest={digest}", data[1500:])
    assert (status, headers["Docker-Content-Digest"]) == (201, digest)
    status, headers, body = registry.call("GET", f"/v2/team/app/blobs/{digest}")
    assert (status, body) == (200, data)
    assert registry.call("HEAD", f"/v2/team/app/blobs/{digest}")[1]["Content-Length"] == "3000"
    assert registry.call("HEAD", f"/v2/team/app/blobs/{wrong}")[0] == 404

    status, manifest = registry.push_image("team/app", "v1", b"layer", media_type=DOCKER_MANIFEST)
    assert status == 201
    manifest_digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
    for reference in ("v1", manifest_digest):
        status, headers, body = registry.call("GET", f"/v2/team/app/manifests/{reference}")
        assert (status, body, headers["Content-Type"]) == (200, manifest, DOCKER_MANIFEST)
        assert headers["Docker-Content-Digest"] == manifest_digest
    assert json.loads(registry.call("GET", "/v2/team/app/tags/list")[2]) == {
        "name": "team/app",
        "tags": ["v1"],
    }
    assert registry.call("GET", "/v2/team/app/manifests/v9")[0] == 404
    status, _, body = registry.call("GET", "/v2/missing/tags/list")
    assert (status, json.loads(body)["errors"][0]["code"]) == (404, "NAME_UNKNOWN")


def test_a_manifest_naming_a_missing_blob_is_refused(registry, ecr):
    ecr.create_repository(repositoryName="app")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": "sha256:" + "1" * 64,
                "size": 2,
            },
            "layers": [],
        }
    ).encode()
    status, _, body = registry.call("PUT", "/v2/app/manifests/v1", manifest, {"Content-Type": OCI_MANIFEST})
    assert (status, json.loads(body)["errors"][0]["code"]) == (400, "MANIFEST_BLOB_UNKNOWN")
    assert ecr.describe_images(repositoryName="app")["imageDetails"] == []


def test_put_image_without_a_builder_is_what_ecs_finds(clean_emulator, ecr):
    """How a test puts an image into the emulator's ECR with no builder: ECR's own PutImage."""
    ecr.create_repository(repositoryName="app")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": OCI_MANIFEST,
            "config": {"digest": "sha256:" + "2" * 64},
            "layers": [],
        }
    )
    digest = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
    ecr.put_image(repositoryName="app", imageManifest=manifest, imageTag="v1", imageDigest=digest)
    assert ecr.describe_images(repositoryName="app")["imageDetails"][0]["imageDigest"] == digest


def test_a_chunked_transfer_patch_and_a_cross_repository_mount(clean_emulator, registry, ecr):
    """docker streams PATCH bodies with `Transfer-Encoding: chunked`; builders mount shared layers."""
    ecr.create_repository(repositoryName="one")
    ecr.create_repository(repositoryName="two")
    ecr.create_repository(repositoryName="three")
    data = b"layer bytes " * 1000
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    location = registry.call("POST", "/v2/one/blobs/uploads/")[1]["Location"]
    connection = http.client.HTTPConnection("localhost", clean_emulator.port, timeout=30)
    pieces = (data[i : i + 4096] for i in range(0, len(data), 4096))
    connection.request(
        "PATCH", location, body=pieces, headers={"Authorization": registry.auth}, encode_chunked=True
    )
    answer = connection.getresponse()
    answer.read()
    assert (answer.status, answer.getheader("Range")) == (202, f"0-{len(data) - 1}")
    assert registry.call("PUT", f"{location}?digest={digest}")[0] == 201

    mounted = registry.call("POST", f"/v2/two/blobs/uploads/?mount={digest}&from=one")
    assert (mounted[0], mounted[1]["Docker-Content-Digest"]) == (201, digest)
    assert registry.call("GET", f"/v2/two/blobs/{digest}")[2] == data
    # a repository that never received the blob neither serves it nor lends it
    assert registry.call("HEAD", f"/v2/three/blobs/{digest}")[0] == 404
    assert registry.call("POST", f"/v2/three/blobs/uploads/?mount={digest}&from=three")[0] == 202
    assert registry.call("POST", f"/v2/three/blobs/uploads/?mount={digest}")[0] == 202  # no source named
    # an upload belongs to the repository it was started in
    started = registry.call("POST", "/v2/one/blobs/uploads/")[1]["Location"]
    status, _, body = registry.call("PATCH", started.replace("/v2/one/", "/v2/two/"), b"x")
    assert (status, json.loads(body)["errors"][0]["code"]) == (404, "BLOB_UPLOAD_UNKNOWN")


def test_a_push_by_digest_alone_stores_an_untagged_image(registry, ecr):
    ecr.create_repository(repositoryName="app")
    status, manifest = registry.push_image("app", "v1", b"tagged")
    untagged = manifest.replace(b'"schemaVersion": 2', b'"schemaVersion": 2, "annotations": {}')
    digest = "sha256:" + hashlib.sha256(untagged).hexdigest()
    status, headers, _ = registry.call(
        "PUT", f"/v2/app/manifests/{digest}", untagged, {"Content-Type": OCI_MANIFEST}
    )
    assert (status, headers["Docker-Content-Digest"]) == (201, digest)
    images = {
        d["imageDigest"]: d.get("imageTags", [])
        for d in ecr.describe_images(repositoryName="app")["imageDetails"]
    }
    assert images[digest] == []
    wrong = registry.call(
        "PUT", f"/v2/app/manifests/sha256:{'3' * 64}", untagged, {"Content-Type": OCI_MANIFEST}
    )
    assert json.loads(wrong[2])["errors"][0]["code"] == "DIGEST_INVALID"
