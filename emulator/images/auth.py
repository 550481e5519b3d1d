"""ECR registry credentials: what `ecr.get_authorization_token` hands out and the registry accepts.

ECR's `GetAuthorizationToken` returns a base64 `AWS:<password>` token valid for 12 hours, and a
`proxyEndpoint` to log in to (ECR API reference, "GetAuthorizationToken" and "AuthorizationData").
Here the password also says which account and region's registry it opens, because every repository
URI of the emulator shares one loopback host (`localhost:<port>/<name>`): a builder logged in with a
token for `us-east-1` pushes into that region's repositories.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from dataclasses import dataclass

TOKEN_LIFETIME = 12 * 3600  # seconds, as ECR's AuthorizationData.expiresAt documents
USERNAME = "AWS"


@dataclass(frozen=True)
class Grant:
    """Whose registry a token opens, and until when (Unix time)."""

    account: str
    region: str
    expires: float


class Tokens:
    """Issued registry passwords; a request is authorised by `Authorization: Basic AWS:<password>`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._grants: dict[str, Grant] = {}

    def issue(self, account: str, region: str) -> tuple[str, Grant]:
        """A new token (base64 of `AWS:<password>`, as `authorizationToken` carries it) and its grant."""
        password = f"{region}.{secrets.token_urlsafe(32)}"
        grant = Grant(account, region, time.time() + TOKEN_LIFETIME)
        with self._lock:
            self._grants[password] = grant
        token = base64.b64encode(f"{USERNAME}:{password}".encode()).decode()
        return token, grant

    def check(self, authorization: str) -> Grant | None:
        """The grant behind an `Authorization` header, or None (missing, malformed, unknown, expired)."""
        scheme, _, encoded = authorization.partition(" ")
        if scheme.lower() != "basic":
            return None
        try:
            user, _, password = base64.b64decode(encoded.strip(), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        with self._lock:
            grant = self._grants.get(password)
        if user != USERNAME or grant is None or grant.expires < time.time():
            return None
        return grant

    def clear(self) -> None:
        with self._lock:
            self._grants.clear()
