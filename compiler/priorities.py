"""Listener rule priorities: deterministic, specific-first, stable when services come and go.

An ALB evaluates rules by ascending priority (1..50000), so priority decides routing
where patterns overlap, and each priority is unique on a listener. Numbering services
in order would renumber existing rules whenever one is added (and two nested stacks
updating in parallel would briefly claim the same number). Instead each rule gets a
priority computed from itself alone:

* the range is cut into buckets by specificity, most specific first: rules with a host
  condition before rules without; within each, longer literal path prefixes before
  shorter ones (a prefix that extends another is always longer, so overlapping prefixes
  are always ordered correctly), and catch-all paths (``/*``) last;
* within its bucket a rule sits at ``sha256(service name) mod bucket size``.

So adding or removing a service never moves another one's rule, except on an exact
collision inside a bucket (about 1 in 800 per pair of services sharing a bucket): then
services are placed in name order and the later one takes the next free slot. The
root stack makes the slot's holder depend on the displaced services, so on an add the
displaced rule moves out before the new one claims its slot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from fgc.compiler.defaults import PRIORITY_MAX
from fgc.spec.deployable import path_values as path_values  # the spec counts a rule's values with it

#: literal prefix lengths 1..MAX_LENGTH get their own bucket (longer ones share the last)
MAX_LENGTH = 30
_PER_HOSTNESS = MAX_LENGTH + 1  # the length buckets + the catch-all bucket
BUCKETS = 2 * _PER_HOSTNESS
BUCKET_SIZE = PRIORITY_MAX // BUCKETS


def literal_prefix(pattern: str) -> str:
    """The part of a pattern before its first wildcard: ``/api/*`` -> ``/api/``."""
    return pattern[: min((i for i, c in enumerate(pattern) if c in "*?"), default=len(pattern))]


@dataclass(frozen=True)
class Route:
    """What decides a rule's bucket: whether it has a host condition, and its path patterns."""

    has_host: bool
    paths: tuple[str, ...]

    def bucket(self) -> int:
        """0 = most specific. Catch-all: no path condition, or a path matching everything."""
        lengths = [len(literal_prefix(p)) for p in self.paths]
        shortest = min(lengths, default=0)
        base = 0 if self.has_host else _PER_HOSTNESS
        if shortest <= 1:  # "/*", "*", or no path condition at all
            return base + MAX_LENGTH
        return base + MAX_LENGTH - min(shortest, MAX_LENGTH)


@dataclass(frozen=True)
class Assignment:
    priorities: dict[str, int]
    #: holder -> services displaced from the slot it holds (see module docstring)
    displaced: dict[str, list[str]]


def _offset(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") % BUCKET_SIZE


def assign(routes: Mapping[str, Route]) -> Assignment:
    """Priorities for every routed service (keyed by service name)."""
    priorities: dict[str, int] = {}
    displaced: dict[str, list[str]] = {}
    taken: dict[int, str] = {}
    for name in sorted(routes):
        start = routes[name].bucket() * BUCKET_SIZE + 1
        wanted = start + _offset(name)
        slot = wanted
        while slot in taken:
            slot = start + (slot - start + 1) % BUCKET_SIZE
        if slot != wanted:
            displaced.setdefault(taken[wanted], []).append(name)
        taken[slot] = name
        priorities[name] = slot
    return Assignment(priorities, displaced)
