"""A throwaway PostgreSQL server for the app's tests and bench/app_load.py.

The system's server binaries (Debian's `postgresql` package; .ci/run installs it) run a
new cluster in a temporary directory, listening on a free loopback port. PostgreSQL
refuses to run as root: as root, the server runs as the `postgres` user (or `nobody`).
The app connects over TCP with a password (scram-sha-256), as it does to RDS; the
harness administers the cluster over its Unix socket.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

ADMIN = "postgres"


class PostgresMissing(Exception):
    """No PostgreSQL server binaries on this machine; the message says how to install them."""


def _bindir() -> Path:
    """Where initdb and pg_ctl are: on PATH, or Debian's /usr/lib/postgresql/<version>/bin."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise PostgresMissing("no PostgreSQL server found: apt-get install postgresql (.ci/run does)")
    return Path(candidates[-1]).parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PostgresServer:
    """A cluster whose app role is `user` with `password`; start() and stop() it at will."""

    host = "localhost"

    def __init__(self, user: str, password: str, *, durable: bool = False) -> None:
        self.user, self.password = user, password
        self.bindir = _bindir()
        self.port = _free_port()
        # Under /tmp itself (not pytest's private tmp_path): the server's user must reach it.
        self.root = Path(tempfile.mkdtemp(prefix="app-postgres-"))
        self.data, self.log_path = self.root / "data", self.root / "server.log"
        self._owner = None if os.geteuid() != 0 else _unprivileged_user()
        if self._owner:
            os.chown(self.root, self._owner.pw_uid, self._owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", ADMIN, "-E", "UTF8", "--locale=C", "--no-sync",
                  "--auth-local=trust", "--auth-host=scram-sha-256")  # fmt: skip
        settings = {
            "port": self.port,
            "listen_addresses": f"'{self.host}'",
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": 100,
        }
        if not durable:  # tests: nothing to keep after a crash, so no waiting for the disk
            settings.update(fsync="off", synchronous_commit="off", full_page_writes="off")
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        self.start()
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                    sql.Identifier(user), sql.Literal(password)
                )
            )

    def _run(self, program: str, *args: str) -> None:
        as_user = {}
        if self._owner:
            as_user = {"user": self._owner.pw_uid, "group": self._owner.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(self.bindir / program), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=120,
            **as_user,  # type: ignore[arg-type]
        )
        if result.returncode != 0:
            raise RuntimeError(f"{program} failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", "60", "start")

    def stop(self) -> None:
        """Fast shutdown: open sessions are ended, as when RDS fails over or restarts."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(
            host=str(self.root), port=self.port, user=ADMIN, dbname=dbname, autocommit=True
        )

    def create_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(self.user))
            )

    def env(self, dbname: str) -> dict[str, str]:
        """The app's variables for database `dbname`, as ECS sets them from the secret."""
        return {
            "DB_HOST": self.host,
            "DB_PORT": str(self.port),
            "DB_NAME": dbname,
            "DB_USERNAME": self.user,
            "DB_PASSWORD": self.password,
        }

    def close(self) -> None:
        try:
            if (self.data / "postmaster.pid").exists():
                self.stop()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def _unprivileged_user() -> pwd.struct_passwd:
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresMissing("running as root and neither a postgres nor a nobody user exists")
