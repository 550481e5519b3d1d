"""The live view of a stack operation on a terminal: one row per resource, fitted to the window.

A stack set has a hundred resources or more and a terminal may have 24 lines of 80
columns, so the view keeps what matters in sight: a nested stack that finished is
folded into one line (its resources stay hidden unless it failed), every status is
shown in full and the reason gets the width that is left, the first line says how
many resources are done and how long it has taken (re-drawn on every refresh, so the
time ticks while CloudFormation is quiet), and when rows still do not fit, busy and
failed ones win over those long finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fgc.deployer.plan import NESTED_STACK

#: Lines the view needs besides its rows: the heading, the column titles, one spare.
CHROME_LINES = 3
#: Below this width the resource type column is left out (statuses and reasons matter more).
TYPE_COLUMN_WIDTH = 120


@dataclass
class Row:
    """The latest state of one resource (or of a stack itself, as ``(stack)``)."""

    stack: str
    resource: str
    resource_type: str
    status: str
    first: float
    last: float
    reason: str = ""

    @property
    def busy(self) -> bool:
        return self.status.endswith("_IN_PROGRESS")

    @property
    def failed(self) -> bool:
        return "FAILED" in self.status or "ROLLBACK" in self.status

    @property
    def is_stack(self) -> bool:
        """The row of a nested stack in its parent, or of a stack's own status."""
        return self.resource_type == NESTED_STACK

    @property
    def folds(self) -> bool:
        """A nested stack that finished well: its resources collapse into this row."""
        return self.is_stack and self.resource != "(stack)" and not self.busy and not self.failed


class Board:
    """What the live view shows, re-rendered by rich on every refresh (so the clock ticks)."""

    def __init__(self, console: Any, clock: Callable[[], float]) -> None:
        self._console, self._clock = console, clock
        self.started = clock()
        self.rows: dict[tuple[str, str], Row] = {}
        self.title = ""
        #: Resources the plan changes (0: unknown); "N of M done" uses the larger of this and those seen.
        self.expected = 0

    def update(self, stack: str, resource: str, resource_type: str, status: str, reason: str | None) -> None:
        now = self._clock() - self.started
        row = self.rows.setdefault((stack, resource), Row(stack, resource, resource_type, status, now, now))
        row.status, row.last, row.reason = status, now, reason or row.reason
        self.title = self.title or stack

    def heading(self) -> str:
        """``flask-api: 12 of 45 resources done, 1m 05s``."""
        resources = [r for r in self.rows.values() if not r.is_stack]
        done = sum(not r.busy for r in resources)
        total = max(self.expected, len(resources))
        return f"{self.title}: {done} of {total} resources done, {_clock(self._clock() - self.started)}"

    def visible(self) -> list[tuple[Row, str]]:
        """Rows to show, each with the text of its reason cell, in the order they first came.

        Finished nested stacks are folded into their row. When that is still more than the
        window holds, every nested stack without a failure inside is folded too (``3 of 12
        done``); then failed rows, then stacks, then the rows that changed last fill the room.
        """
        room = max(self._console.height - CHROME_LINES, 5)
        finished = {row.resource for row in self.rows.values() if row.folds}
        shown = self._folding(finished)
        if sum(self._heights(shown)) > room:
            failing = {row.stack for row in self.rows.values() if row.failed}
            nested = {r.resource for r in self.rows.values() if r.is_stack and r.resource != "(stack)"}
            shown = self._folding(nested - failing)
        heights = self._heights(shown)
        if sum(heights) <= room:
            return shown
        rank = [(not row.failed, not row.is_stack, -row.last) for row, _ in shown]
        ranked = sorted(range(len(shown)), key=rank.__getitem__)
        keep: set[int] = set()
        for n in ranked:
            if sum(heights[k] for k in keep) + heights[n] > room:
                break
            keep.add(n)
        return [item for n, item in enumerate(shown) if n in keep]

    def _folding(self, folded: set[str]) -> list[tuple[Row, str]]:
        """Every row outside the ``folded`` nested stacks; a folded stack's reason says what it holds."""
        shown = []
        for row in self.rows.values():
            if _under(row.stack, folded):
                continue
            if row.resource not in folded or not row.is_stack:
                shown.append((row, row.reason))
                continue
            inside = [r for r in self.rows.values() if _under(r.stack, {row.resource}) and not r.is_stack]
            done = sum(not r.busy for r in inside)
            summary = f"{done} of {len(inside)} done" if row.busy else f"{len(inside)} resources"
            shown.append((row, "; ".join(filter(None, [summary if inside else "", row.reason]))))
        return shown

    def _heights(self, rows: list[tuple[Row, str]]) -> list[int]:
        """Terminal lines each row takes once its reason wraps in the width the other columns leave."""
        from rich.text import Text

        if not rows:
            return []
        fixed = sum(
            max(len(cell) for cell in column) + 2
            for column in zip(*[(r.stack, r.resource, r.status, "9999s") for r, _ in rows], strict=True)
        )
        if self._console.width >= TYPE_COLUMN_WIDTH:
            fixed += max(len(r.resource_type) for r, _ in rows) + 2
        room = max(self._console.width - fixed, 10)
        return [len(Text(reason).wrap(self._console, room)) if reason else 1 for _, reason in rows]

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        with_type = self._console.width >= TYPE_COLUMN_WIDTH
        rows = self.visible()
        table = Table(box=None, pad_edge=False, expand=False)
        table.add_column("stack", no_wrap=True, overflow="ellipsis", max_width=24)
        table.add_column("resource", no_wrap=True, overflow="ellipsis", max_width=28)
        if with_type:
            table.add_column("type", no_wrap=True, overflow="ellipsis")
        width = max((len(row.status) for row, _ in rows), default=6)
        table.add_column("status", no_wrap=True, min_width=width)
        table.add_column("time", no_wrap=True, justify="right")
        table.add_column("reason", overflow="fold", ratio=1)
        now = self._clock() - self.started
        for row, reason in rows:
            style = "red" if row.failed else ("yellow" if row.busy else "green")
            cells = [row.stack, row.resource, *([row.resource_type] if with_type else [])]
            spent = (now if row.busy else row.last) - row.first
            table.add_row(*cells, Text(row.status, style=style), f"{spent:.0f}s", Text(reason))
        return Group(Text(self.heading(), style="bold"), table)


def _under(stack: str, nested: set[str]) -> bool:
    """True when rows of ``stack`` belong to one of the ``nested`` stacks (or one inside it)."""
    return any(stack == name or stack.startswith(f"{name}/") for name in nested)


def _clock(seconds: float) -> str:
    """``45s``, ``3m 07s``, ``1h 02m``."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
