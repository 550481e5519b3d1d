"""Items in a local SQLite file, shared by every gunicorn worker process and thread of one task.

Used when no DB_HOST is set (local runs, tests). An in-memory list would give each worker
its own items, so a POST served by one worker would be invisible to a GET served by
another. SQLite in WAL mode lets all processes share one file with concurrent readers;
ids come from the database. Tasks do not share the file: deployed, use PostgreSQL.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import UTC, datetime

from app.items import Item, StoreError, StoreUnavailable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at TEXT NOT NULL
)
"""
_COLUMNS = "id, name, created_at"  # in the order of Item's fields
#: How long a writer waits for another process's write lock before failing.
_BUSY_TIMEOUT_S = 5.0


@contextmanager
def _unavailable_on_error() -> Iterator[None]:
    """sqlite3's database errors (locked, not a database, disk full) become StoreUnavailable.

    Their messages name only the local file's state, so they are kept.
    """
    try:
        yield
    except sqlite3.DatabaseError as exc:
        raise StoreUnavailable(f"SQLite: {exc}") from exc


class SqliteItemStore:
    """One SQLite connection per thread (connections must not cross threads or forks)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._local = threading.local()
        try:
            with closing(self._connect()) as conn:
                # WAL is a property of the database file: set once, kept by every connection.
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
        except sqlite3.Error as exc:
            raise StoreError(
                f"cannot open the item database {path!r} ({exc}): set ITEMS_DB to a writable path"
            ) from exc

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_S, isolation_level=None)
        conn.execute("PRAGMA synchronous=NORMAL")  # safe with WAL; no fsync per insert
        return conn

    def _conn(self) -> sqlite3.Connection:
        # Keyed by pid as well: a thread-local survives fork (e.g. gunicorn --preload).
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            local.conn = self._connect()
            local.pid = os.getpid()
        return local.conn

    def add(self, name: str) -> Item:
        created_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        sql = f"INSERT INTO items (name, created_at) VALUES (?, ?) RETURNING {_COLUMNS}"
        with _unavailable_on_error():
            return Item(*self._conn().execute(sql, (name, created_at)).fetchone())

    def get(self, item_id: int) -> Item | None:
        sql = f"SELECT {_COLUMNS} FROM items WHERE id = ?"
        with _unavailable_on_error():
            row = self._conn().execute(sql, (item_id,)).fetchone()
        return Item(*row) if row else None

    def list_json(self) -> str:
        # SQLite builds the JSON: three times cheaper than rows -> dicts -> json.dumps for a
        # thousand items. The aggregate takes rows in the ordered subquery's order.
        sql = (
            "SELECT json_object('items', json_group_array("
            "json_object('id', id, 'name', name, 'created_at', created_at)), 'count', count(*)) "
            f"FROM (SELECT {_COLUMNS} FROM items ORDER BY id)"
        )
        with _unavailable_on_error():
            return self._conn().execute(sql).fetchone()[0]

    def ping(self) -> None:
        with _unavailable_on_error():
            self._conn().execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the file

    def close(self) -> None:
        """Closes this thread's connection (other threads' close when they end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and self._local.pid == os.getpid():
            conn.close()
        self._local.__dict__.clear()
