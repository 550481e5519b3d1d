"""The OCI distribution API (registry v2) over the emulator's ECR repositories.

What docker, podman and buildah use to push and pull: the `/v2/` ping, blob uploads (one POST with
the digest, or POST then PATCH chunks then PUT), blob HEAD/GET, cross-repository mounts, manifests
PUT/GET/HEAD by tag or digest (OCI and Docker schema 2 media types), and the tag list. Every request
carries ECR's Basic credentials (`AWS:<password>` from `GetAuthorizationToken`); anything else gets
401 with a `WWW-Authenticate: Basic` challenge, as ECR's registry answers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from .auth import Grant, Tokens
from .blobs import DIGEST, BlobError, BlobStore, Upload
from .store import ImageError, add_blob, find_image, has_blob, put_manifest, repository

StartResponse = Callable[..., Any]
_ROUTES = (
    ("uploads", re.compile(r"^/v2/(?P<name>.+)/blobs/uploads/(?P<arg>[^/]*)$")),
    ("blob", re.compile(r"^/v2/(?P<name>.+)/blobs/(?P<arg>[^/]+)$")),
    ("manifest", re.compile(r"^/v2/(?P<name>.+)/manifests/(?P<arg>[^/]+)$")),
    ("tags", re.compile(r"^/v2/(?P<name>.+)/tags/list$")),
)
_REASONS = {
    200: "OK",
    201: "Created",
    202: "Accepted",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    416: "Requested Range Not Satisfiable",
}
_CHUNK = 1 << 20


class _Refused(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass
class _Call:
    """One routed registry request: who asked (the token's grant), for which repository."""

    environ: dict[str, Any]
    start_response: StartResponse
    grant: Grant
    repo: Any
    name: str
    arg: str  # the upload id, blob digest or manifest reference in the path

    @property
    def query(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.environ.get("QUERY_STRING", "")).items()}

    def body(self) -> Iterator[bytes]:
        return _body(self.environ)

    def send(
        self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None
    ) -> Iterable[bytes]:
        return _send(self.start_response, status, body, headers)


def is_registry_request(environ: dict[str, Any]) -> bool:
    """Registry calls live under `/v2/` and are never SigV4-signed (that is how AWS APIs under a
    `/v2/` path, such as API Gateway v2's, stay with moto)."""
    path = environ.get("PATH_INFO", "")
    signed = environ.get("HTTP_AUTHORIZATION", "").startswith("AWS4-HMAC-SHA256")
    return (path == "/v2" or path.startswith("/v2/")) and not signed


class RegistryApp:
    """WSGI app answering the distribution API; `host` is what clients address (`localhost:<port>`)."""

    def __init__(self, tokens: Tokens, blobs: BlobStore) -> None:
        self.tokens = tokens
        self.blobs = blobs
        self.host = "localhost"

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        grant = self.tokens.check(environ.get("HTTP_AUTHORIZATION", ""))
        if grant is None:
            challenge = f'Basic realm="https://{self.host}/",service="ecr.amazonaws.com"'
            body = _errors("UNAUTHORIZED", "authentication required")
            return _send(start_response, 401, body, [("WWW-Authenticate", challenge)])
        try:
            return self._route(environ, grant, start_response)
        except (_Refused, BlobError, ImageError) as err:
            return _send(start_response, err.status, _errors(err.code, err.message))

    def _route(self, environ: dict[str, Any], grant: Grant, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ["REQUEST_METHOD"]
        if path in ("/v2", "/v2/"):
            return _send(start_response, 200, b"{}")
        for kind, pattern in _ROUTES:
            match = pattern.match(path)
            if match:
                name = match["name"]
                repo = repository(grant.account, grant.region, name)
                handler = getattr(self, f"_{kind}_{method.lower()}", None)
                if handler is None:
                    raise _Refused("UNSUPPORTED", f"{method} is not supported on {kind}", 405)
                arg = match.groupdict().get("arg") or ""
                return handler(_Call(environ, start_response, grant, repo, name, arg))
        raise _Refused("NAME_INVALID", f"No registry route for {path}", 404)

    # -- blob uploads ----------------------------------------------------------------------------
    def _uploads_post(self, call: _Call) -> Iterable[bytes]:
        query = call.query
        mount, source = query.get("mount", ""), query.get("from", "")
        if mount and source and self._holds(call, source, mount):  # a layer shared with another repository
            add_blob(call.repo, mount, self.blobs.size(mount))
            return self._blob_created(call, mount)
        session = self.blobs.start(call.name)
        if "digest" in query:  # monolithic: the whole blob in this one POST
            self.blobs.append(session, call.body())
            return self._store(call, session, query["digest"])
        return self._upload_status(call, session, 202)

    def _holds(self, call: _Call, name: str, digest: str) -> bool:
        """Whether repository `name` of the caller's registry has blob `digest` (no: upload it)."""
        try:
            source = repository(call.grant.account, call.grant.region, name)
        except ImageError:
            return False
        return has_blob(source, digest) and self.blobs.has(digest)

    def _uploads_patch(self, call: _Call) -> Iterable[bytes]:
        session = self.blobs.upload(call.arg, call.name)
        content_range = call.environ.get("HTTP_CONTENT_RANGE", "")
        start = int(content_range.split("-")[0]) if re.fullmatch(r"\d+-\d+", content_range) else None
        self.blobs.append(session, call.body(), start)
        return self._upload_status(call, session, 202)

    def _uploads_put(self, call: _Call) -> Iterable[bytes]:
        session = self.blobs.upload(call.arg, call.name)
        self.blobs.append(session, call.body())
        return self._store(call, session, call.query.get("digest", ""))

    def _uploads_get(self, call: _Call) -> Iterable[bytes]:
        return self._upload_status(call, self.blobs.upload(call.arg, call.name), 204)

    def _uploads_delete(self, call: _Call) -> Iterable[bytes]:
        self.blobs.cancel(self.blobs.upload(call.arg, call.name))
        return call.send(204)

    def _store(self, call: _Call, session: Upload, digest: str) -> Iterable[bytes]:
        add_blob(call.repo, digest, self.blobs.finish(session, digest))
        return self._blob_created(call, digest)

    @staticmethod
    def _blob_created(call: _Call, digest: str) -> Iterable[bytes]:
        return call.send(
            201, headers=[("Location", f"/v2/{call.name}/blobs/{digest}"), ("Docker-Content-Digest", digest)]
        )

    @staticmethod
    def _upload_status(call: _Call, session: Upload, status: int) -> Iterable[bytes]:
        headers = [
            ("Location", f"/v2/{call.name}/blobs/uploads/{session.upload_id}"),
            ("Docker-Upload-UUID", session.upload_id),
            ("Range", f"0-{max(session.size - 1, 0)}"),
        ]
        return call.send(status, headers=headers)

    # -- blobs -----------------------------------------------------------------------------------
    def _blob_head(self, call: _Call) -> Iterable[bytes]:
        call.start_response("200 OK", self._blob_headers(call))
        return [b""]

    def _blob_get(self, call: _Call) -> Iterable[bytes]:
        call.start_response("200 OK", self._blob_headers(call))
        return self.blobs.read(call.arg)

    def _blob_headers(self, call: _Call) -> list[tuple[str, str]]:
        digest = call.arg
        if not (DIGEST.fullmatch(digest) and has_blob(call.repo, digest) and self.blobs.has(digest)):
            raise _Refused("BLOB_UNKNOWN", f"Blob {digest} is not in repository {call.name}", 404)
        return [
            ("Docker-Distribution-API-Version", "registry/2.0"),
            ("Content-Type", "application/octet-stream"),
            ("Content-Length", str(self.blobs.size(digest))),
            ("Docker-Content-Digest", digest),
        ]

    # -- manifests and tags ----------------------------------------------------------------------
    def _manifest_put(self, call: _Call) -> Iterable[bytes]:
        body = b"".join(call.body())
        media_type = call.environ.get("CONTENT_TYPE", "").split(";")[0].strip()
        digest = put_manifest(call.grant.account, call.grant.region, call.repo, call.arg, body, media_type)
        return call.send(
            201,
            headers=[("Location", f"/v2/{call.name}/manifests/{digest}"), ("Docker-Content-Digest", digest)],
        )

    def _manifest_get(self, call: _Call) -> Iterable[bytes]:
        image = find_image(call.repo, call.arg)
        if image is None:
            raise _Refused("MANIFEST_UNKNOWN", f"Requested image not found: {call.name}:{call.arg}", 404)
        body = image.image_manifest.encode()
        headers = [
            ("Content-Type", image.image_manifest_media_type or json.loads(body).get("mediaType", "")),
            ("Docker-Content-Digest", image.get_image_digest()),
        ]
        if call.environ["REQUEST_METHOD"] == "HEAD":
            return _send(call.start_response, 200, b"", headers, length=len(body))
        return call.send(200, body, headers)

    _manifest_head = _manifest_get

    def _tags_get(self, call: _Call) -> Iterable[bytes]:
        tags = sorted(tag for image in call.repo.images for tag in image.image_tags)
        return call.send(200, json.dumps({"name": call.name, "tags": tags}).encode())


def _body(environ: dict[str, Any]) -> Iterator[bytes]:
    """The request body in chunks: by Content-Length, or to the end of a chunked transfer."""
    stream = environ["wsgi.input"]
    length = environ.get("CONTENT_LENGTH")
    if length:
        remaining = int(length)
        while remaining > 0:
            data = stream.read(min(_CHUNK, remaining))
            if not data:
                return
            remaining -= len(data)
            yield data
    elif (
        environ.get("wsgi.input_terminated") or environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked"
    ):
        while data := stream.read(_CHUNK):
            yield data


def _errors(code: str, message: str) -> bytes:
    return json.dumps({"errors": [{"code": code, "message": message, "detail": None}]}).encode()


def _send(
    start_response: StartResponse,
    status: int,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
    length: int | None = None,
) -> Iterable[bytes]:
    all_headers = [
        ("Docker-Distribution-API-Version", "registry/2.0"),
        ("Content-Length", str(len(body) if length is None else length)),
        *(headers or []),
    ]
    if body and not any(k == "Content-Type" for k, _ in all_headers):
        all_headers.append(("Content-Type", "application/json"))
    start_response(f"{status} {_REASONS.get(status, '')}", all_headers)
    return [body]
