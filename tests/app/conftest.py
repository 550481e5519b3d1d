"""Fixtures for the sample app: a Flask test client and real gunicorn servers on loopback.

`app` is not an installed package; it runs from the repository root, so the root goes on
sys.path here (pytest runs with --import-mode=importlib, which does not add it).
"""

from __future__ import annotations

import dataclasses
import http.client
import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.service import create_app  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from postgres_server import PostgresMissing, PostgresServer  # noqa: E402

#: Recognisable secret values: a test fails if either shows up in a response or a log line.
SECRETS = {"DB_USERNAME": "user-5f3a9c-never-shown", "DB_PASSWORD": "pw-81d2e7-never-shown"}
_START_TIMEOUT_S = 20.0
_STOP_TIMEOUT_S = 30.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Response:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> object:
        return json.loads(self.body)


class GunicornServer:
    """gunicorn started exactly as in production (app/gunicorn.conf.py), bound to 127.0.0.1."""

    def __init__(
        self, tmp: Path, env: dict[str, str] | None = None, cwd: Path = ROOT, ready_status: int = 200
    ) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.stdout_path, self.stderr_path = tmp / "gunicorn.out", tmp / "gunicorn.err"
        environ = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "ITEMS_DB": str(tmp / "items.db"),
            "WEB_CONCURRENCY": "2",
            "GUNICORN_THREADS": "4",
            **(env or {}),
        }
        command = [sys.executable, "-m", "gunicorn", "-c", "app/gunicorn.conf.py"]
        command += ["--bind", f"127.0.0.1:{self.port}", "app.main:app"]
        with open(self.stdout_path, "wb") as out, open(self.stderr_path, "wb") as err:
            self.process = subprocess.Popen(command, cwd=cwd, env=environ, stdout=out, stderr=err)
        self._wait_ready(ready_status)

    def _wait_ready(self, status: int) -> None:
        """Until /health answers `status` (503: up, but its database is not)."""
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if self.request("GET", "/health").status == status:
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"gunicorn's /health never answered {status}:\n{self.logs()}")

    def request(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> Response:
        """One request on a new connection (so the kernel may hand it to any worker)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            payload = None if body is None else json.dumps(body).encode()
            all_headers = {"Content-Type": "application/json"} if payload is not None else {}
            conn.request(method, path, body=payload, headers={**all_headers, **(headers or {})})
            response = conn.getresponse()
            return Response(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def served_by(self, request_ids: list[str]) -> set[int]:
        """pids of the workers that served these requests, from the JSON access log.

        gunicorn writes the access line after the response, so a line may lag its response.
        """
        deadline = time.monotonic() + 10
        while True:
            pids = {
                record["request_id"]: record["pid"]
                for record in self.log_records()
                if record["logger"] == "gunicorn.access"
            }
            missing = [request_id for request_id in request_ids if request_id not in pids]
            if not missing:
                return {pids[request_id] for request_id in request_ids}
            assert time.monotonic() < deadline, f"no access log line for the requests {missing}"
            time.sleep(0.02)

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=_STOP_TIMEOUT_S)

    def logs(self) -> str:
        return self.stdout_path.read_text() + self.stderr_path.read_text()

    def log_records(self) -> list[dict[str, object]]:
        """Every complete log line of both streams, parsed (a non-JSON line fails the test)."""
        records = []
        for path in (self.stdout_path, self.stderr_path):
            complete = path.read_text().rpartition("\n")[0]  # a line being written is left out
            records += [json.loads(line) for line in complete.splitlines() if line.strip()]
        return records


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(
        {
            "ITEMS_DB": str(tmp_path / "items.db"),
            "ENVIRONMENT": "test",
            "APP_VERSION": "1.2.3",
            "AWS_REGION": "eu-west-1",
            **SECRETS,
        }
    )


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """One PostgreSQL server for the session; its app role has the SECRETS as credentials."""
    try:
        server = PostgresServer(SECRETS["DB_USERNAME"], SECRETS["DB_PASSWORD"])
    except PostgresMissing as exc:
        pytest.fail(str(exc))  # not a skip: CI installs PostgreSQL, so these tests always run
    yield server
    server.close()


_database_numbers = itertools.count()


@pytest.fixture
def postgres_env(postgres: PostgresServer) -> dict[str, str]:
    """A new, empty database on the session's server: the DB_* variables that name it."""
    name = f"items_{next(_database_numbers)}"
    postgres.create_database(name)
    return postgres.env(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def flask_app(request: pytest.FixtureRequest, settings: Settings):  # type: ignore[no-untyped-def]
    """The app on each store: every route test holds for SQLite and for PostgreSQL."""
    if request.param == "postgresql":
        settings = dataclasses.replace(
            settings, database=Settings.from_env(request.getfixturevalue("postgres_env")).database
        )
    app = create_app(settings)
    yield app
    app.extensions["items"].close()


@pytest.fixture
def client(flask_app):  # type: ignore[no-untyped-def]
    return flask_app.test_client()


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GunicornServer]:
    """One shared gunicorn (2 workers x 4 threads) with the secrets in its environment."""
    srv = GunicornServer(tmp_path_factory.mktemp("gunicorn"), {**SECRETS, "ENVIRONMENT": "test"})
    yield srv
    srv.stop()


@pytest.fixture
def start_server(tmp_path: Path) -> Iterator:  # type: ignore[type-arg]
    """Factory for a private gunicorn (for tests that stop it); stopped at teardown."""
    started: list[GunicornServer] = []

    def start(env: dict[str, str] | None = None, cwd: Path = ROOT, ready_status: int = 200) -> GunicornServer:
        srv = GunicornServer(tmp_path / f"server{len(started)}", env, cwd, ready_status)
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="session")
def app_secrets() -> dict[str, str]:
    return SECRETS


@pytest.fixture
def unused_port() -> int:
    """A loopback port nothing listens on."""
    return free_port()
