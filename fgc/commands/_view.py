"""Rendering what the deployer returns: plans, progress, outputs, services, status.

Rich (colours, a live table) on a terminal; plain aligned lines when stdout is
not a terminal, so logs and CI output stay greppable. ``NO_COLOR`` takes the colours
away and keeps the live view.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from fgc.commands._values import value_lines
from fgc.compiler.naming import service_of

if TYPE_CHECKING:
    from fgc.deployer.diagnose import Diagnosis
    from fgc.deployer.events import StackEvent
    from fgc.deployer.plan import Plan
    from fgc.deployer.review import Review
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
        # NO_COLOR removes colour only (rich reads it itself); the live view stays
        self.rich = self.console.is_terminal

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
        for n, text in enumerate(aligned(rows, indent)):
            self.line(text, styles[n] if n < len(styles) else None)

    def ask(self, question: str) -> bool:
        print(f"{question} [y/N] ", end="", file=self.file, flush=True)  # stderr when stdout holds a document
        try:
            answer = input()
        except EOFError:  # Ctrl-D: no
            return False
        return answer.strip().lower() in ("y", "yes")

    # -- plans ---------------------------------------------------------------------------------
    def plan(self, plan: Plan, review: Review | None = None) -> None:
        """The plan: its review's risk, security and traffic sections, the table, the summary,
        and the monthly cost change."""
        from fgc.commands._plan_sections import cost_lines, section_lines

        self.line(f"Plan for {plan.stack_name} (change set {plan.change_set_name}):", "bold")
        if plan.is_empty:
            self.line("  No changes.")
        else:
            for text, style in section_lines(review) if review else []:
                self.line(text, style)
            self._changes(plan)
        for text in cost_lines(review.cost if review else None):
            self.line(text)

    def _changes(self, plan: Plan) -> None:
        """The table of changes and the summary under it."""
        if self.rich:
            self.console.print(plan_table(plan, self.console.width))
        else:
            self._plain_plan(plan)
        if unchanged := unchanged_note(plan):
            self.line(unchanged, "dim")
        self.line(summary(plan), "bold")

    def _plain_plan(self, plan: Plan) -> None:
        """Aligned rows, each change's values on lines of their own under it."""
        rows, styles, values = [], [], []
        for stack in plan.root.walk():
            label = plan.stack_name if stack.name == "root" else stack.name
            for change in stack.resource_changes():
                symbol, style = ACTIONS.get(change.action, ("?", None))
                props = f"({', '.join(change.properties)})" if change.properties else ""
                rows.append(
                    [label, f"{symbol} {change.logical_id}", change.resource_type, verb(change), props]
                )
                styles.append("red" if change.replacement == "True" else style)
                values.append(value_lines(change))
        for p in plan.parameters:
            rows.append(
                ["parameters", f"{p.name}: {p.old if p.old is not None else '(none)'} -> {p.new}", "", "", ""]
            )
            styles.append("cyan")
            values.append([])
        for text, style, lines in zip(aligned(rows), styles, values, strict=True):
            self.line(text, style)
            for line in lines:
                self.line(f"      {line}")

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
        if state.is_new:
            self.line(
                "  never deployed: it only holds a change set (`fgc deploy` creates the stack set, "
                "`fgc destroy` removes it)"
            )
        self.rows([[n.name, n.status] for n in status.nested])
        self.line("Services:", "bold")
        rows = [["service", "image", "revision", "running/desired/pending", "deployments", "targets"]]
        for info in status.services:
            rollouts = "; ".join(
                f"{r.status} {r.rollout_state or '-'} {r.running}/{r.desired}" for r in info.rollouts
            )
            rows.append(
                [
                    spec_name(info),
                    ", ".join(short_image(i) for i in info.images) or "-",
                    revision(info.task_definition),
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
                    self.line(f"  {spec_name(info)} target {t.target}: {t.state} ({reason})")
            for text in traffic_lines(info):
                self.line(text)
        self.outputs(state.outputs)
        if status.events:
            self.line("Recent events:", "bold")
            self.rows(
                [
                    [
                        e.timestamp.strftime("%Y-%m-%d %H:%M:%S"),
                        e.stack,
                        "(stack)" if e.is_stack_status else e.nested or e.logical_id,
                        e.status,
                        e.reason or "",
                    ]
                    for e in status.events
                ]
            )

    def status_json(self, status: Status, diagnoses: Sequence[Diagnosis] = ()) -> None:
        """The status as JSON, with the diagnosis of each unstable service (``fgc status --output json``)."""
        found = {**status_dict(status), "diagnosis": [d.to_dict() for d in diagnoses]}
        print(json.dumps(found, indent=2, default=str), file=self.file)


def status_dict(status: Status) -> dict[str, Any]:
    """``fgc status --output json``: the same facts as the text, services by their spec names."""
    from dataclasses import asdict

    state = status.state
    return {
        "stack": state.name,
        "stack_id": state.stack_id,
        "status": state.status,
        "reason": state.reason,
        "outputs": state.outputs,
        "nested": [asdict(n) for n in status.nested],
        "services": [
            {
                "service": spec_name(info),
                "revision": revision(info.task_definition),
                # a rolling service has no `traffic` (its JSON is what it was before ECS shifted any)
                **{k: v for k, v in asdict(info).items() if k != "traffic" or v is not None},
            }
            for info in status.services
        ],
        "events": [asdict(e) for e in status.events],
    }


def spec_name(info: ServiceInfo) -> str:
    """The service's name in fargate.yaml (its stack is ``service-<name>``), not ECS's generated one."""
    return service_of(info.stack) or info.stack


def traffic_lines(info: ServiceInfo) -> list[str]:
    """Where ECS sends a blue/green, canary or linear service's production traffic, its deployment
    still running (status, lifecycle stage, strategy, start), and what the caller may not read."""
    shifting = info.traffic
    if shifting is None:
        return []
    name = spec_name(info)
    lines = []
    if shifting.primary_weight is not None:
        lines.append(
            f"  {name} production traffic (listener rule weights): "
            f"primary {target_group_name(shifting.primary)} {shifting.primary_weight}, "
            f"alternate {target_group_name(shifting.alternate)} {shifting.alternate_weight}"
        )
    for deployment in shifting.deployments or []:
        started = f", started {deployment.started:%Y-%m-%d %H:%M:%S}" if deployment.started else ""
        lines.append(f"  {deployment} ({deployment.strategy or 'strategy not said'}{started})")
    if shifting.unread:
        lines.append(
            f"  {name}: access denied for {', '.join(shifting.unread)}: the production traffic "
            "and the running ECS deployment are only shown to a caller allowed to read them"
        )
    return lines


def target_group_name(arn: str) -> str:
    """``arn:...:targetgroup/<name>/<id>`` -> ``<name>`` (the ARN itself when not of that form)."""
    parts = arn.split(":")[-1].split("/")
    return parts[1] if len(parts) == 3 and parts[0] == "targetgroup" else arn


def short_image(image: str) -> str:
    """``123.dkr.ecr.../flask-api:v1.2`` -> ``flask-api:v1.2``: the repository's last part and the tag."""
    return image.rsplit("/", 1)[-1]


def revision(task_definition: str) -> str:
    """``arn:...:task-definition/<family>:7`` -> ``7`` (``-`` when unknown)."""
    tail = task_definition.rsplit("/", 1)[-1]
    return tail.rsplit(":", 1)[1] if ":" in tail else "-"


def plan_table(plan: Plan, width: int) -> Any:
    """The plan on a terminal: grouped by stack, fitted to ``width`` (types go first when narrow).

    Each change keeps one line where it can: the resource, what happens to it and why
    (the changed properties) matter more than its type, which a narrow terminal drops.
    """
    from rich.table import Table
    from rich.text import Text

    groups: list[tuple[str, list[list[Any]]]] = []
    for stack in plan.root.walk():
        rows = []
        for change in stack.resource_changes():
            symbol, style = ACTIONS.get(change.action, ("?", None))
            style = "red" if change.replacement == "True" else style
            rows.append(
                [
                    Text(f"  {symbol} {change.logical_id}", style=style or ""),
                    change.resource_type.removeprefix("AWS::"),
                    Text(verb(change), style=style or ""),
                    ", ".join(change.properties),
                ]
            )
            rows += [["", "", "", Text(line, style="dim")] for line in value_lines(change)]
        if rows:
            groups.append((plan.stack_name if stack.name == "root" else stack.name, rows))
    if plan.parameters:
        changed = [
            [Text(f"  {p.name}: {p.old or '(none)'} -> {p.new}", style="cyan"), "", "", ""]
            for p in plan.parameters
        ]
        groups.append(("parameters", changed))
    natural = max(
        (sum(len(str(c)) + 2 for c in row) + 2 for _, rows in groups for row in rows if row[0]), default=0
    )
    with_type = natural <= width
    table = Table(box=None, pad_edge=False, show_header=False)
    table.add_column("change", no_wrap=True, overflow="ellipsis")
    if with_type:
        table.add_column("type", no_wrap=True, overflow="ellipsis")
    table.add_column("action", no_wrap=True)
    table.add_column("properties", overflow="fold", ratio=1)
    blanks = [""] * (3 if with_type else 2)
    for name, rows in groups:
        table.add_row(Text(name, style="bold"), *blanks)
        for row in rows:
            cells: list[Any] = row if with_type else [row[0], row[2], row[3]]
            table.add_row(*cells)
    return table


def aligned(rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Rows as lines of aligned columns (the last column is not padded)."""
    if not rows:
        return []
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [
        (indent + "  ".join([cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])] + [row[-1]])).rstrip()
        for row in rows
    ]


def unchanged_note(plan: Plan) -> str:
    """The changes CloudFormation lists that fgc proved change nothing, named on one line
    (empty when there are none): a reviewer comparing with the console sees where they went."""
    names = [c.logical_id for stack in plan.root.walk() for c in stack.unchanged]
    if not names:
        return ""
    return f"  no change to {', '.join(names)}: only references to resources this plan does not replace"


def changed_resources(plan: Plan) -> int:
    """Resources ``plan`` touches (nested stacks are counted by their resources, not themselves)."""
    from fgc.deployer.plan import NESTED_STACK

    return sum(
        c.resource_type != NESTED_STACK for stack in plan.root.walk() for c in stack.resource_changes()
    )


def counts(plan: Plan) -> dict[str, int]:
    """Resource changes by kind (``replace``: modifies that replace), and parameters changed."""
    changes = [c for stack in plan.root.walk() for c in stack.resource_changes()]
    found = {kind: sum(c.action == action for c in changes) for kind, action in COUNTED.items()}
    found["replace"] = sum(c.action == "Modify" and c.replacement == "True" for c in changes)
    found["parameters"] = len(plan.parameters)
    return found


#: The kinds :func:`counts` counts, by CloudFormation's action.
COUNTED = {"add": "Add", "modify": "Modify", "remove": "Remove", "import": "Import"}


def summary(plan: Plan) -> str:
    """``41 to add, 2 to modify (1 replaced), 0 to remove, 1 parameter changed``: the plan at a glance."""
    count = counts(plan)
    text = f"{count['add']} to add, {count['modify']} to modify"
    text += f" ({count['replace']} replaced)" if count["replace"] else ""
    text += f", {count['remove']} to remove"
    text += f", {count['import']} to import (kept from before, adopted by name)" if count["import"] else ""
    if count["parameters"]:
        text += f", {count['parameters']} parameter{'s' if count['parameters'] > 1 else ''} changed"
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
    """Shows stack events as they come: a line each (plain), or a live view fitted to the terminal (rich).

    ``expect()`` tells it how many resources will change, for "N of M done". When
    standard output goes away while an operation runs (`fgc deploy --yes | head`), the
    operation is still followed to its end (its outcome is the exit status); nothing more
    is printed.
    """

    def __init__(self, view: View, clock: Callable[[], float] = time.monotonic) -> None:
        from fgc.commands._live import Board

        self.view = view
        self.started = clock()
        self._clock = clock
        self.board = Board(view.console, clock)
        self._live: Any = None

    def expect(self, stack_name: str, resources: int) -> None:
        """The operation about to start: on ``stack_name``, touching that many resources."""
        self.board.title, self.board.expected = stack_name, resources

    def __call__(self, event: StackEvent) -> None:
        try:
            self._show(event)
        except BrokenPipeError:
            from fgc.commands._output import silence_stdout

            silence_stdout()

    def _show(self, event: StackEvent) -> None:
        # A stack's own events carry its physical name as logical id: "(stack)" says what they are;
        # a nested stack in its parent goes by its template name, as everywhere else.
        resource = "(stack)" if event.is_stack_status else event.nested or event.logical_id
        if not self.view.rich:
            elapsed = self._clock() - self.started
            fields = [f"{elapsed:6.1f}s", event.stack, resource, event.resource_type, event.status]
            self.view.line("  " + "  ".join([*fields, event.reason or ""]).rstrip())
            return
        self.board.update(event.stack, resource, event.resource_type, event.status, event.reason)
        if self._live is None:
            from rich.live import Live

            self._live = Live(self.board, console=self.view.console, refresh_per_second=4)
            self._live.start()
        self._live.refresh()

    def stop(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
