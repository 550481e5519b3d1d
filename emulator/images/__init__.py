"""The emulator's image registry: ECR repositories served over the OCI distribution API.

A real builder logs in with `ecr.get_authorization_token` (its `proxyEndpoint` is
`http://localhost:<port>`, the emulator itself) and pushes to the repository URI
`localhost:<port>/<name>` that `describe_repositories` returns. Pushed images land in moto's ECR
backend (`store.py`), so `describe_images`, `list_images` and `batch_get_image` show them with their
digests and tags.

- `auth.py`: the tokens `GetAuthorizationToken` issues and the registry checks;
- `blobs.py`: layer bytes on disk and upload sessions;
- `store.py`: manifests as moto images, tag immutability, lifecycle expiry, repository URIs;
- `api.py`: the distribution API's routes (WSGI).
"""

from __future__ import annotations

from typing import Any

from .api import RegistryApp, is_registry_request
from .auth import Tokens
from .blobs import BlobStore
from .store import serve_repository_uris


class ImageRegistry:
    """Everything the registry keeps for one emulator: tokens, blobs and the WSGI app over them."""

    def __init__(self) -> None:
        self.tokens = Tokens()
        self.blobs = BlobStore()
        self.app = RegistryApp(self.tokens, self.blobs)

    def serve_at(self, host: str) -> None:
        """Address the registry (and every repository URI) as `host`, e.g. `localhost:4566`."""
        self.app.host = host
        serve_repository_uris(host)

    def authorization_data(self, account: str, region: str) -> dict[str, Any]:
        """`GetAuthorizationToken`'s answer: a token for this registry and where to log in with it."""
        token, grant = self.tokens.issue(account, region)
        return {
            "authorizationData": [
                {
                    "authorizationToken": token,
                    "expiresAt": grant.expires,
                    "proxyEndpoint": f"http://{self.app.host}",
                }
            ]
        }

    def reset(self) -> None:
        """Drop uploads in progress; issued tokens stay valid (they are credentials, not resources)."""
        self.blobs.reset()

    def close(self) -> None:
        self.blobs.close()


__all__ = ["ImageRegistry", "is_registry_request"]
