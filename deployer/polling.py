"""Adaptive polling: quick first looks, then backing off to a ceiling.

Small changes finish in seconds, so the first polls come fast; long rollouts
settle to one look every ``ceiling`` seconds, so completion is noticed within
that time without hammering the API (and its throttling).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field


@dataclass
class Poll:
    """Sleep intervals ``start``, ``start*factor``, ... capped at ``ceiling`` seconds."""

    start: float = 0.2
    factor: float = 1.5
    ceiling: float = 2.0
    _next: float = field(default=0.0, init=False, repr=False)

    def __post_init__(self) -> None:
        self._next = self.start

    def fresh(self) -> Poll:
        """A new poll with the same policy, starting fast again."""
        return Poll(self.start, self.factor, self.ceiling)

    def sleep(self) -> None:
        """Wait the current interval, then lengthen the next one."""
        time.sleep(self._next)
        self._next = min(self._next * self.factor, self.ceiling)


def default_poll() -> Poll:
    """The policy to use; ``FGC_POLL_CEILING`` (seconds) shortens it for tests and emulators."""
    ceiling = float(os.environ.get("FGC_POLL_CEILING", "2.0"))
    return Poll(start=min(0.2, ceiling), ceiling=ceiling)
