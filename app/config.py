"""Settings read from the environment once, at start-up.

The container is configured only through environment variables (ECS task definition
`environment` and `secrets`), so this is the single place that reads them.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass

#: Variables the spec injects from Secrets Manager / SSM. Their values are never
#: returned or logged; /info only says whether each one is set.
SECRET_NAMES = ("DB_USERNAME", "DB_PASSWORD", "API_KEY")


@dataclass(frozen=True)
class Settings:
    environment: str
    version: str
    region: str
    items_db: str
    secrets_set: dict[str, bool]
    secret_values: tuple[str, ...]

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        return cls(
            environment=env.get("ENVIRONMENT", "development"),
            version=env.get("APP_VERSION", "0.0.0"),
            region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "unknown")),
            # Under the temp directory by default so the container works with a
            # read-only root file system and a writable /tmp.
            items_db=env.get("ITEMS_DB") or os.path.join(tempfile.gettempdir(), "items.db"),
            secrets_set={name: bool(env.get(name)) for name in SECRET_NAMES},
            secret_values=tuple(env[name] for name in SECRET_NAMES if env.get(name)),
        )
