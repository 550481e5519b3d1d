"""Images the user would push outside fgc, stood in by the emulator when asked to.

The emulator is faithful: a task whose image is not in its ECR repository stops with
``CannotPullContainerError``. A one-shot rehearsal (``fgc deploy --local``) or a test may instead
declare an image as provided, the way a user pushes one before deploying: then, when a task pulls
it and its repository exists (possibly created by the very deploy that starts the task), the
emulator first puts a minimal image with that tag (or digest) into the repository, so
``describe_images`` shows it as pushed. Nothing is stood in unless declared.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from typing import Any

#: The smallest image manifest ECR accepts: no layers, one empty config (a ``FROM scratch`` image).
_EMPTY = hashlib.sha256(b"{}").hexdigest()
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 2,
            "digest": f"sha256:{_EMPTY}",
        },
        "layers": [],
    },
    sort_keys=True,
)


class StandIns:
    """Image URIs declared as provided outside fgc (thread-safe; one per emulator)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._images: set[str] = set()

    def add_image(self, uri: str) -> None:
        with self._lock:
            self._images.add(uri)

    def images(self) -> list[str]:
        with self._lock:
            return sorted(self._images)

    def clear(self) -> None:
        with self._lock:
            self._images.clear()

    def put_if_declared(self, uri: str, repository: Any, tag: str | None, digest: str | None) -> bool:
        """Put the declared image ``uri`` into ``repository`` (moto's ECR repository); True if done.

        Declared and pulled URIs match by repository and tag (or digest): the registry's host may be
        ECR's or the emulator's own (``localhost:<port>``), as its repository URIs name it."""
        from .resources.launch import parse_image

        wanted = _repository_and_reference(parse_image(uri))
        with self._lock:
            declared = any(_repository_and_reference(parse_image(i)) == wanted for i in self._images)
        if not declared or repository is None:
            return False
        from moto.ecr.models import ecr_backends

        backend = ecr_backends[repository.account_id][repository.region_name]
        backend.put_image(repository.name, MANIFEST, tag, digest=digest)  # type: ignore[arg-type]
        return True


def _repository_and_reference(image: Any) -> tuple[str, str | None]:
    return image.repository, image.digest or image.tag


@dataclass(frozen=True)
class StandIn:
    """One thing a rehearsal stood in for the user, and why it could."""

    kind: str  # "image", "secret" or "parameter"
    name: str
    why: str
    keys: tuple[str, ...] = ()  # a secret's JSON keys the spec reads

    def __str__(self) -> str:
        return f"stand-in: {self.kind} {self.name} ({self.why})"


def provide(spec: Any, account_id: str, region_name: str, stand_ins: StandIns) -> list[StandIn]:
    """Stand in what ``spec`` reads from outside fgc and the emulator lacks: its images (declared,
    see `StandIns`; a repository fgc does not create is created, as the user would have), its
    Secrets Manager secrets (made-up values, with every JSON key the spec names) and its SSM
    parameters. Public images need nothing: they are pullable wherever the network reaches them."""
    from .resources.launch import parse_image

    made: list[StandIn] = []
    secrets: dict[str, set[str]] = {}
    parameters: set[str] = set()
    for service in spec.services.values():
        for container in [service, *service.sidecars.values()]:
            image = container.image
            # an image with build: is fgc's own to build and push (and to stand in when it cannot)
            built = getattr(image, "build", None) is not None
            if getattr(image, "registry", None) is not None:
                uri = f"{account_id}.dkr.ecr.{region_name}.amazonaws.com/{image.registry}:{image.tag}"
            else:
                uri = str(image)
            parsed = None if built else parse_image(uri)
            if parsed is not None and parsed.ecr is not None and uri not in stand_ins.images():
                owned = parsed.repository in spec.registries and parsed.ecr[1] == region_name
                if not owned:
                    _ensure_repository(*parsed.ecr, parsed.repository)
                stand_ins.add_image(uri)
                made.append(StandIn("image", uri, "pushed outside fgc: an empty image stands in"))
            for ref in container.secrets.values():
                if ref.ssm is not None:
                    parameters.add(ref.ssm)
                else:
                    secrets.setdefault(ref.secretsmanager, set()).update([ref.key] if ref.key else [])
    for name, keys in sorted(secrets.items()):
        if _put_secret(name, keys, account_id, region_name):
            made.append(StandIn("secret", name, "value made up", tuple(sorted(keys))))
    for name in sorted(parameters):
        if _put_parameter(name, account_id, region_name):
            made.append(StandIn("parameter", name, "value made up"))
    return made


def _ensure_repository(account_id: str, region_name: str, name: str) -> None:
    from moto.ecr.models import ecr_backends

    backend = ecr_backends[account_id][region_name]
    if name not in backend.repositories:
        backend.create_repository(
            name, None, {"encryptionType": "AES256"}, {"scanOnPush": False}, "MUTABLE", []
        )


def _put_secret(name: str, keys: set[str], account_id: str, region_name: str) -> bool:
    """A secret with made-up values, unless one by that name or ARN exists; True when created.

    A complete ARN (with Secrets Manager's random suffix) is kept as given, so references to it resolve."""
    from moto.secretsmanager.models import secretsmanager_backends

    parts = name.split(":")
    region = parts[3] if name.startswith("arn:") else region_name
    backend = secretsmanager_backends[account_id][region]
    if backend.secrets.get(name) is not None:
        return False
    secret_name = parts[6] if name.startswith("arn:") else name
    exact = name.startswith("arn:") and re.search(r"-[A-Za-z0-9]{6}$", secret_name) is not None
    if exact:
        secret_name = secret_name[:-7]
    value = json.dumps({key: f"stand-in-{key}" for key in sorted(keys)}) if keys else "stand-in"
    backend.create_secret(
        secret_name, value, None, "stood in by fgc's rehearsal", None, None, None, [], False
    )
    if exact:
        backend.secrets[secret_name].arn = ":".join(parts[:7])
    return True


def _put_parameter(name: str, account_id: str, region_name: str) -> bool:
    from moto.ssm.models import ssm_backends

    from .resources.launch import parameter_name

    path, region = parameter_name(name)
    region = region or region_name
    backend = ssm_backends[account_id][region]
    if backend.get_parameter(path) is not None:
        return False
    backend.put_parameter(
        path, "stood in by fgc's rehearsal", "stand-in", "String", "", "", False, [], "text", None, None
    )
    return True
