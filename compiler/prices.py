"""The unit price table ``fgc cost`` reads: ``prices.json`` beside this module.

Each figure has its source and the date it was read; a figure nobody could find is
``null`` and stays unknown (its cost line has no amount) rather than being guessed.
A region missing from the table is an error, never a neighbour's prices.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("prices.json")


class UnknownRegion(LookupError):
    """The region has no prices in the table."""


@dataclass(frozen=True)
class Price:
    """One unit price: ``usd`` is ``None`` when no figure was found (``source`` says so)."""

    key: str
    usd: float | None
    unit: str
    source: str
    date: str


@cache
def _table() -> dict:
    return json.loads(TABLE.read_text(encoding="utf-8"))


def regions() -> list[str]:
    """The regions the table prices, sorted."""
    return sorted(_table()["regions"])


def price_list(region: str) -> dict[str, Price]:
    """Every unit price of ``region``, by key (``fargate_x86_vcpu_hour``, ``nat_hour``, ...)."""
    table = _table()
    figures = table["regions"].get(region)
    if figures is None:
        raise UnknownRegion(f"no prices for region {region!r} (priced regions: {', '.join(regions())})")
    return {
        key: Price(key, entry["usd"], table["units"][key], entry["source"], entry["date"])
        for key, entry in figures.items()
    }
