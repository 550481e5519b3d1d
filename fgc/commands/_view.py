"""Rendering what the deployer returns: plans, progress, outputs, services, status.

Rich (colours, a live table) on a terminal; plain aligned lines when stdout is
not a terminal or ``NO_COLOR`` is set, so logs and CI output stay greppable.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from fgc.compiler.naming import service_of

if TYPE_CHECKING:
    from fgc.deployer.events import StackEvent
    from fgc.deployer.plan import Plan
    from fgc.deployer.services import ServiceInfo
    from fgc.deployer.status import Status

#: Plan symbols and styles by change action.
ACTIONS = {"Add": ("+", "green"), "Modify": ("~", "yellow"), "Remove": ("-", "red"), "Import": (">", "cyan")}


class View:
    """One output stream, rich or plain."""

    def __init__(self, file: TextIO | None = None, force_terminal: bool | None = None) -> None:
        from rich.console import Console

        self.file = file or sys.stdout
        self.console = Console(file=self.file, highlight=False, soft_wrap=True, force_terminal=force_terminal)
        self.rich = self.console.is_terminal and not os.environ.get("NO_COLOR")

    def line(self, text: str = "", style: str | None = None) -> None:
        if self.rich and style:
            from rich.text import Text

            self.console.print(Text(text, style=style))
        else:
            print(text, file=self.file, flush=True)

    def note(self, text: str) -> None:
        self.line(text, "bold")

    def rows(
        self, rows: Sequence[Sequence[str]], indent: str = "  ", styles: Sequence[str | None] = ()
    ) -> None:
        """Aligned columns (the last column is not padded)."""
        if not rows:
            return
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        for n, row in enumerate(rows):
            cells = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]]
            self.line((indent + "  ".join(cells)).rstrip(), styles[n] if n < len(styles) else None)

    def ask(self, question: str) -> bool:
        try:
            answer = input(f"{question} [y/N] ")
        except EOFError:  # Ctrl-D: no
            return False
        return answer.strip().lower() in ("y", "yes")

    # -- plans ---------------------------------------------------------------------------------
    def plan(self, plan: Plan) -> None:
        self.line(f"Plan for {plan.stack_name} (change set {plan.change_set_name}):", "bold")
        if plan.is_empty:
            self.line("  No changes.")
            return
        rows, styles = [], []
        for stack in plan.root.walk():
            label = plan.stack_name if stack.name == "root" else stack.name
            for change in stack.resource_changes():
                symbol, style = ACTIONS.get(change.action, ("?", None))
                props = f"({', '.join(change.properties)})" if change.properties else ""
                rows.append(
                    [label, f"{symbol} {change.logical_id}", change.resource_type, verb(change), props]
                )
                styles.append("red" if change.replacement == "True" else style)
        for p in plan.parameters:
            rows.append(
                ["parameters", f"{p.name}: {p.old if p.old is not None else '(none)'} -> {p.new}", "", "", ""]
            )
            styles.append("cyan")
        self.rows(rows, styles=styles)
        self.line(summary(plan), "bold")

    def plan_json(self, plan: Plan) -> None:
        print(json.dumps(plan.to_dict(), indent=2), file=self.file)

    def plans_json(self, plans: Sequence[Plan]) -> None:
        """The environment's plan (the last) as the object; the registries stack's, when there is
        one, under its key ``registries``."""
        document = plans[-1].to_dict()
        if len(plans) > 1:
            document["registries"] = plans[0].to_dict()
        print(json.dumps(document, indent=2), file=self.file)

    # -- results ---------------------------------------------------------------------------------
    def outputs(self, outputs: dict[str, str]) -> None:
        if outputs:
            self.line("Outputs:", "bold")
            self.rows([[k, v] for k, v in sorted(outputs.items())])

    def services(self, infos: Sequence[ServiceInfo], title: str = "Services:") -> None:
        self.line(title, "bold")
        if not infos:
            self.line("  (no ECS services)")
            return
        rows = [
            [
                "service",
                "task definition",
                "image",
                "desired",
                "running",
                "health check",
                "targets",
                "scaling",
            ]
        ]
        for info in infos:
            rows.append(
                [
                    service_of(info.stack) or info.stack,
                    info.task_definition.rsplit("/", 1)[-1],
                    ", ".join(info.images) or "-",
                    str(info.desired),
                    str(info.running),
                    ", ".join(info.health_check_paths) or "-",
                    target_health(info),
                    f"{info.scaling[0]}-{info.scaling[1]}" if info.scaling else "-",
                ]
            )
        self.rows(rows)

    def status(self, status: Status) -> None:
        state = status.state
        self.line(f"{state.name}  {state.status}" + (f"  ({state.reason})" if state.reason else ""), "bold")
        self.rows([[n.name, n.status] for n in status.nested])
        self.line("Services:", "bold")
        rows = [["stack", "service", "running/desired/pending", "deployments", "targets healthy/registered"]]
        for info in status.services:
            rollouts = "; ".join(
                f"{r.status} {r.rollout_state or '-'} {r.running}/{r.desired}" for r in info.rollouts
            )
            rows.append(
                [
                    info.stack,
                    info.name,
                    f"{info.running}/{info.desired}/{info.pending}",
                    rollouts or "-",
                    target_health(info),
                ]
            )
        self.rows(rows)
        for info in status.services:  # why a target is not healthy is worth its own line
            for t in info.targets:
                if t.state != "healthy":
                    reason = t.reason or "no reason given"
                    self.line(f"  {info.stack} target {t.target}: {t.state} ({reason})")
        self.outputs(state.outputs)
        if status.events:
            self.line("Recent events:", "bold")
            self.rows(
                [
                    [
                        e.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
                        "(stack)" if e.is_stack_status else e.nested or e.logical_id,
                        e.status,
                        e.reason or "",
                    ]
                    for e in status.events
                ]
            )


def summary(plan: Plan) -> str:
    """``41 to add, 2 to modify (1 replaced), 0 to remove, 1 parameter changed``: the plan at a glance."""
    changes = [c for stack in plan.root.walk() for c in stack.resource_changes()]
    count = {action: sum(c.action == action for c in changes) for action in ("Add", "Modify", "Remove")}
    replaced = sum(c.action == "Modify" and c.replacement == "True" for c in changes)
    text = f"{count['Add']} to add, {count['Modify']} to modify"
    text += f" ({replaced} replaced)" if replaced else ""
    text += f", {count['Remove']} to remove"
    imported = sum(c.action == "Import" for c in changes)
    text += f", {imported} to import (kept from before, adopted by name)" if imported else ""
    if plan.parameters:
        text += f", {len(plan.parameters)} parameter{'s' if len(plan.parameters) > 1 else ''} changed"
    return text


def target_health(info: ServiceInfo) -> str:
    """``2 healthy / 2``, plus any other states (``1 unhealthy``); ``-`` without a load balancer."""
    if not info.target_groups:
        return "-"
    counts: dict[str, int] = {}
    for target in info.targets:
        counts[target.state] = counts.get(target.state, 0) + 1
    healthy = counts.pop("healthy", 0)
    others = "".join(f", {n} {state}" for state, n in sorted(counts.items()))
    return f"{healthy} healthy / {len(info.targets)}{others}"


def verb(change: Any) -> str:
    """What a change does to its resource, in one word or two."""
    if change.action != "Modify":
        return {"Add": "add", "Remove": "remove", "Import": "import"}.get(
            change.action, change.action.lower()
        )
    return {"True": "replace", "Conditional": "may replace"}.get(change.replacement, "modify")


class Progress:
    """Shows stack events as they come: a line each (plain), or a live table per resource (rich)."""

    def __init__(self, view: View) -> None:
        self.view = view
        self.started = time.monotonic()
        self._rows: dict[tuple[str, str], list[Any]] = {}
        self._live: Any = None

    def __call__(self, event: StackEvent) -> None:
        elapsed = time.monotonic() - self.started
        # A stack's own events carry its physical name as logical id: "(stack)" says what they are;
        # a nested stack in its parent goes by its template name, as everywhere else.
        resource = "(stack)" if event.is_stack_status else event.nested or event.logical_id
        if not self.view.rich:
            fields = [f"{elapsed:6.1f}s", event.stack, resource, event.resource_type, event.status]
            self.view.line("  " + "  ".join([*fields, event.reason or ""]).rstrip())
            return
        key = (event.stack, resource)
        row = self._rows.setdefault(key, [event.resource_type, event.status, elapsed, elapsed, event.reason])
        row[1], row[3], row[4] = event.status, elapsed, event.reason or row[4]
        if self._live is None:
            from rich.live import Live

            self._live = Live(self._table(), console=self.view.console, refresh_per_second=8)
            self._live.start()
        self._live.update(self._table())

    def _table(self) -> Any:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, pad_edge=False)
        for column in ("stack", "resource", "type", "status", "time", "reason"):
            table.add_column(column, no_wrap=column != "reason", min_width=16 if column == "status" else None)
        now = time.monotonic() - self.started
        for (stack, logical_id), (rtype, status, first, last, reason) in self._visible():
            busy = status.endswith("_IN_PROGRESS")
            style = "red" if "FAILED" in status or "ROLLBACK" in status else ("yellow" if busy else "green")
            spent = (now if busy else last) - first
            table.add_row(
                stack, logical_id, rtype, Text(status, style=style), f"{spent:.1f}s", Text(reason or "")
            )
        return table

    def _visible(self) -> list[tuple[tuple[str, str], list[Any]]]:
        """Rows that fit the terminal: every busy or failed resource, then the latest others."""
        rows = list(self._rows.items())
        room = max(self.view.console.height - 2, 5)
        if len(rows) <= room:
            return rows
        keep = {key for key, row in rows if row[1].endswith("_IN_PROGRESS") or "FAILED" in row[1]}
        for key, _ in reversed(rows):
            if len(keep) >= room:
                break
            keep.add(key)
        return [(key, row) for key, row in rows if key in keep]

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
