"""What the API stores, the errors of a store, and which store a configuration gets.

Two stores keep the same items contract: PostgreSQL (app/store_postgres.py) when DB_HOST
is set, so that every task behind the load balancer sees the same items and they outlive
the tasks; SQLite in a local file (app/store_sqlite.py) otherwise, for local runs and tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from app.config import Settings

#: Ids are 64-bit signed integers in both databases; a larger id names no item.
MAX_ITEM_ID = 2**63 - 1


class StoreError(Exception):
    """The item store cannot be set up; the message says what to change. Fails start-up."""


class StoreUnavailable(Exception):
    """The database cannot be reached or used right now (a 503, not a crash).

    The message is safe to log and never holds the host, user name or password.
    """


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    created_at: str  # ISO 8601 in UTC, milliseconds: 2024-05-01T12:00:00.000+00:00

    def to_dict(self) -> dict[str, object]:
        # Not dataclasses.asdict: its deep copy made listing 1,000 items 20x slower.
        return {"id": self.id, "name": self.name, "created_at": self.created_at}


class ItemStore(Protocol):
    """Safe to share between the threads of one worker process; ids come from the database."""

    def add(self, name: str) -> Item: ...

    def get(self, item_id: int) -> Item | None: ...

    def list_json(self) -> str:
        """All items as the JSON text of `{"items": [...], "count": n}`, in id order."""
        ...

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""
        ...

    def close(self) -> None: ...


def open_store(settings: Settings) -> ItemStore:
    """PostgreSQL when the settings name a database host, else the SQLite file."""
    if settings.database is not None:
        from app.store_postgres import PostgresItemStore  # psycopg is needed only here

        return PostgresItemStore(settings.database, pool_size=settings.threads)
    from app.store_sqlite import SqliteItemStore

    return SqliteItemStore(settings.items_db)
