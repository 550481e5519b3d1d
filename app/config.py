"""Settings read from the environment once, at start-up.

The container is configured only through environment variables (ECS task definition
`environment` and `secrets`), so this is the single place that reads them.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Variables the spec injects from Secrets Manager / SSM. Their values are never
#: returned or logged; /info only says whether each one is set.
SECRET_NAMES = ("DB_USERNAME", "DB_PASSWORD", "API_KEY")
#: Also from the database secret and never logged: where the database is.
_NEVER_LOGGED = (*SECRET_NAMES, "DB_HOST")
#: libpq's sslmode values. "prefer" (the default) uses TLS whenever the server offers it,
#: which RDS always does; "verify-full" also checks the certificate (needs the CA bundle).
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
#: A host name or IPv4 address followed by ":port" (an IPv6 address has more colons).
_ENDPOINT = re.compile(r"(?P<host>[^:]+):(?P<port>[^:]*)")


class ConfigError(Exception):
    """A variable has a value the app cannot use; the message names it and what is allowed."""


@dataclass(frozen=True)
class Database:
    """Where the PostgreSQL item database is (set when DB_HOST is)."""

    host: str
    port: int
    name: str
    user: str
    password: str = field(repr=False)
    sslmode: str

    def connect_kwargs(self) -> dict[str, object]:
        """Keyword arguments for psycopg.connect; empty values are left to libpq's defaults."""
        kwargs: dict[str, object] = {"host": self.host, "port": self.port, "sslmode": self.sslmode}
        for key, value in (("dbname", self.name), ("user", self.user), ("password", self.password)):
            if value:
                kwargs[key] = value
        return kwargs


@dataclass(frozen=True)
class Settings:
    environment: str
    version: str
    region: str
    items_db: str
    secrets_set: dict[str, bool]
    secret_values: tuple[str, ...]
    #: PostgreSQL when DB_HOST is set; otherwise the items live in SQLite at `items_db`.
    database: Database | None = None
    #: gunicorn threads per worker: each worker's connection pool holds at most this many.
    threads: int = 4

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        database = _database(env)
        never_logged = [env[name] for name in _NEVER_LOGGED if env.get(name)]
        if database:  # the host alone as well, when DB_HOST is "host:port"
            never_logged.append(database.host)
        return cls(
            environment=env.get("ENVIRONMENT", "development"),
            version=env.get("APP_VERSION", "0.0.0"),
            region=env.get("AWS_REGION", env.get("AWS_DEFAULT_REGION", "unknown")),
            # Under the temp directory by default so the container works with a
            # read-only root file system and a writable /tmp.
            items_db=env.get("ITEMS_DB") or os.path.join(tempfile.gettempdir(), "items.db"),
            secrets_set={name: bool(env.get(name)) for name in SECRET_NAMES},
            secret_values=tuple(dict.fromkeys(never_logged)),
            database=database,
            threads=int_setting("GUNICORN_THREADS", env.get("GUNICORN_THREADS", ""), 4),
        )


def _database(env: Mapping[str, str]) -> Database | None:
    host = env.get("DB_HOST", "").strip()
    if not host:
        return None
    port = int_setting("DB_PORT", env.get("DB_PORT", ""), 5432, maximum=65535)
    # An RDS endpoint as Terraform's `endpoint` gives it (and the guide stores in the
    # secret) is "address:port". Error messages never quote the host: they are logged.
    if endpoint := _ENDPOINT.fullmatch(host):
        host, endpoint_port = (
            endpoint["host"],
            int_setting("DB_HOST's port", endpoint["port"], port, maximum=65535),
        )
        if env.get("DB_PORT", "").strip() and endpoint_port != port:
            raise ConfigError(
                f"DB_HOST ends in port {endpoint_port} but DB_PORT is {port}: give the port once"
            )
        port = endpoint_port
    sslmode = env.get("DB_SSLMODE", "").strip() or "prefer"
    if sslmode not in SSL_MODES:
        raise ConfigError(f"DB_SSLMODE must be one of {', '.join(SSL_MODES)}, got {sslmode!r}")
    return Database(
        host=host,
        port=port,
        name=env.get("DB_NAME", ""),
        user=env.get("DB_USERNAME", ""),
        password=env.get("DB_PASSWORD", ""),
        sslmode=sslmode,
    )


def int_setting(name: str, raw: str, default: int, minimum: int = 1, maximum: int | None = None) -> int:
    """An integer variable's value (`default` when empty); shared with gunicorn.conf.py."""
    raw = raw.strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    if maximum is not None and value > maximum:
        raise ConfigError(f"{name} must be at most {maximum}, got {value}")
    return value
