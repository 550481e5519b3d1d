"""Items in PostgreSQL, shared by every task behind the load balancer.

Each gunicorn worker keeps a small pool of connections (at most one per thread), checked
before each use so that a database restart costs no failed request once it is back. The
table is created when missing, under an advisory lock so that the first connections of
many workers and tasks do not race. A database that is down at start-up does not fail
start-up: the pool keeps reconnecting with back-off, and /health answers 503 meanwhile.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool

from app.config import Database
from app.items import Item, StoreUnavailable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
#: Any constant shared by every copy of the app: the key of the schema's advisory lock.
_SCHEMA_LOCK_KEY = 0x17E45
#: created_at as the SQLite store writes it (ISO 8601, UTC, milliseconds), formatted by
#: the database so that single items and the JSON listing agree to the character.
_CREATED_AT = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"')"""
_COLUMNS = f"id, name, {_CREATED_AT}"  # in the order of Item's fields
_LIST_JSON = (
    "SELECT json_build_object('items', coalesce(json_agg(json_build_object("
    f"'id', id, 'name', name, 'created_at', {_CREATED_AT}) ORDER BY id), '[]'::json), "
    "'count', count(*))::text FROM items"
)

#: How long a request waits for a connection before answering 503: below the load
#: balancer's and the container health check's timeouts (5 s and 3 s in fargate.yaml).
_CHECKOUT_TIMEOUT_S = 2.0
#: libpq's limit for one connection attempt (seconds; its minimum is 2).
_CONNECT_TIMEOUT_S = 3
#: The pool retries a failed connection with back-off (1 s, 2 s, 4 s, ...) for this long,
#: then gives up until the next request asks again: recovery within about this delay.
_RECONNECT_WINDOW_S = 30.0


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    """psycopg's operational errors (refused, timed out, shut down) become StoreUnavailable.

    libpq's message names the host, its address and the user: only the error's class and
    SQLSTATE go into the StoreUnavailable message, which is logged.
    """
    try:
        yield
    except psycopg.OperationalError as exc:  # PoolTimeout is one
        sqlstate = f" (SQLSTATE {exc.sqlstate})" if exc.sqlstate else ""
        raise StoreUnavailable(f"PostgreSQL: {type(exc).__name__}{sqlstate}") from None


class PostgresItemStore:
    def __init__(self, database: Database, pool_size: int) -> None:
        self._schema_ready = False
        self._schema_lock = threading.Lock()
        self._pool = ConnectionPool(
            kwargs={
                **database.connect_kwargs(),
                "connect_timeout": _CONNECT_TIMEOUT_S,
                "application_name": "flask-api",
                "autocommit": True,  # each statement is its own transaction
            },
            min_size=1,
            max_size=pool_size,
            open=False,
            configure=self._configure,
            check=ConnectionPool.check_connection,
            timeout=_CHECKOUT_TIMEOUT_S,
            reconnect_timeout=_RECONNECT_WINDOW_S,
            num_workers=2,
            name="items",
        )
        self._pool.open(wait=False)  # connects in the background: start-up never waits for it

    def _configure(self, conn: psycopg.Connection) -> None:
        """Run on each new connection before use: creates the table once per process.

        Only when it is missing: a role that may use the table but not create tables in
        its schema works too (CREATE TABLE IF NOT EXISTS checks that right first).
        """
        if self._schema_ready:
            return
        with self._schema_lock:
            row = conn.execute("SELECT to_regclass('items')").fetchone()
            if row is None or row[0] is None:
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK_KEY,))
                    conn.execute(_SCHEMA)
            self._schema_ready = True

    def _fetchone(self, sql: str, params: tuple[object, ...] = ()) -> tuple | None:  # type: ignore[type-arg]
        with _unavailable_on_error(), self._pool.connection() as conn:
            return conn.execute(sql, params).fetchone()

    def add(self, name: str) -> Item:
        row = self._fetchone(f"INSERT INTO items (name) VALUES (%s) RETURNING {_COLUMNS}", (name,))
        assert row is not None  # INSERT ... RETURNING returns the row
        return Item(*row)

    def get(self, item_id: int) -> Item | None:
        row = self._fetchone(f"SELECT {_COLUMNS} FROM items WHERE id = %s", (item_id,))
        return Item(*row) if row else None

    def list_json(self) -> str:
        # PostgreSQL builds the JSON, as SQLite does in the other store: no per-row Python.
        row = self._fetchone(_LIST_JSON)
        assert row is not None  # an aggregate returns one row
        return row[0]

    def ping(self) -> None:
        self._fetchone("SELECT 1")

    def close(self) -> None:
        self._pool.close()
