"""The live view and the plan on a small terminal (80x24), and NO_COLOR, rendered by rich itself.

Events and plans are built as the deployer returns them; the console is rich's own, sized
80x24 as a default terminal window is; the clock is a counter the test turns.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from fgc.deployer.events import StackEvent
from fgc.deployer.plan import NESTED_STACK, ParameterChange, Plan, ResourceChange, StackPlan
from rich.console import Console

from fgc.commands._view import Progress, View, changed_resources, plan_table

ROOT = "flask-api-prod"
PARTS = ("network", "cluster", "registries", "service-api", "service-worker")
FAILURE = "Resource handler returned message: Invalid request provided: CreateService error: subnets empty"


def event(
    stack: str, logical_id: str, status: str, kind: str = "AWS::EC2::Subnet", **more: Any
) -> StackEvent:
    stack_id = f"arn:aws:cloudformation:us-east-1:1:stack/{stack}/x"
    physical = stack_id if more.pop("own", False) else "physical"
    return StackEvent(
        "e",
        stack,
        stack_id,
        0,
        logical_id,
        kind,
        status,
        more.pop("reason", None),
        datetime.now(UTC),
        physical_id=physical,
        **more,
    )


def create_events() -> list[StackEvent]:
    """A create of five nested stacks of 12 resources: network done, service-api failing, others busy."""
    events = [event(ROOT, ROOT, "CREATE_IN_PROGRESS", NESTED_STACK, own=True, reason="User Initiated")]
    for part in PARTS:
        events.append(event(ROOT, part, "CREATE_IN_PROGRESS", NESTED_STACK, nested=part))
        events += [event(part, f"Resource{n}", "CREATE_IN_PROGRESS") for n in range(12)]
    events += [event("network", f"Resource{n}", "CREATE_COMPLETE") for n in range(12)]
    events.append(event(ROOT, "network", "CREATE_COMPLETE", NESTED_STACK, nested="network"))
    events.append(event("service-api", "Service", "CREATE_FAILED", "AWS::ECS::Service", reason=FAILURE))
    return events


def small_view() -> tuple[View, io.StringIO]:
    buffer = io.StringIO()
    view = View(buffer, force_terminal=True)
    view.console.size = (80, 24)
    return view, buffer


def rendered(renderable: Any, width: int = 80) -> list[str]:
    console = Console(file=io.StringIO(), width=width, height=24, force_terminal=True, color_system=None)
    console.print(renderable)
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_live_view_fits_80x24_keeping_statuses_reasons_and_every_stack() -> None:
    view, _ = small_view()
    clock = [0.0]
    progress = Progress(view, clock=lambda: clock[0])
    for e in create_events():
        clock[0] += 1
        progress._show(e)
    progress.stop()
    lines = rendered(progress.board)
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    text = "\n".join(lines)
    assert lines[0].startswith(f"{ROOT}: 13 of 61 resources done, ")
    rows = {tuple(line.split()[:4]) for line in lines[2:]}
    assert next(r[:3] for r in rows if r[1:2] == ("network",)) == (ROOT, "network", "CREATE_COMPLETE")
    assert "12 resources" in text  # the finished network stack folded into one line
    assert "network" not in {r[0] for r in rows}  # ... and its resources are not listed
    for part in PARTS:  # every nested stack keeps a row, each status in full
        assert any(r[:2] == (ROOT, part) for r in rows), part
    assert "CREATE_IN_PROGRESS" in text and "CREATE_IN_PR…" not in text
    assert "CREATE_FAILED" in text and re.sub(r"\s+", " ", text).count("subnets empty") == 1  # whole reason


def test_elapsed_time_ticks_without_new_events() -> None:
    view, _ = small_view()
    clock = [0.0]
    progress = Progress(view, clock=lambda: clock[0])
    progress._show(create_events()[0])
    progress.stop()
    first = rendered(progress.board)[0]
    clock[0] += 65
    assert first.endswith("0 of 0 resources done, 0s")
    assert rendered(progress.board)[0].endswith("1m 05s")


def test_progress_counts_against_the_plan() -> None:
    view, _ = small_view()
    progress = Progress(view, clock=lambda: 0.0)
    progress.expect(ROOT, changed_resources(update_plan()))
    progress._show(event("service-api", "Service", "UPDATE_COMPLETE", "AWS::ECS::Service"))
    progress.stop()
    assert rendered(progress.board)[0] == f"{ROOT}: 1 of 3 resources done, 0s"


def update_plan() -> Plan:
    changes = [
        ResourceChange(
            "Modify", "TaskDefinition", "AWS::ECS::TaskDefinition", "True", ("ContainerDefinitions",)
        ),
        ResourceChange("Modify", "Service", "AWS::ECS::Service", "False", ("TaskDefinition",)),
        ResourceChange(
            "Modify",
            "MemoryScalingPolicy",
            "AWS::ApplicationAutoScaling::ScalingPolicy",
            "Conditional",
            ("ScalingTargetId",),
        ),
    ]
    nested = StackPlan("ServiceApi", "service-api", "cs", changes=changes)
    root = StackPlan(ROOT, "root", None, nested=[nested])
    return Plan(
        ROOT, "fgc-1", "cs", "UPDATE", root, parameters=[ParameterChange("ApiImageTag", "v1.0.0", "v1.1.0")]
    )


def test_plan_rows_fit_80_columns_one_line_each() -> None:
    lines = rendered(plan_table(update_plan(), 80))
    assert all(len(line) <= 80 for line in lines)
    assert [line.split()[:3] for line in lines if line.startswith("  ~")] == [
        ["~", "TaskDefinition", "replace"],
        ["~", "Service", "modify"],
        [
            "~",
            "MemoryScalingPolicy",
            "may",
        ],
    ]
    assert any("ContainerDefinitions" in line and "TaskDefinition" in line for line in lines)
    assert "service-api" in lines[0] and any("ApiImageTag: v1.0.0 -> v1.1.0" in line for line in lines)


def test_plan_on_a_wide_terminal_shows_types() -> None:
    lines = rendered(plan_table(update_plan(), 160), width=160)
    assert any("ApplicationAutoScaling::ScalingPolicy" in line for line in lines)


def test_no_color_keeps_the_live_view_and_drops_the_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    view, buffer = small_view()
    assert view.rich  # the live view stays
    progress = Progress(view, clock=lambda: 0.0)
    for e in create_events():
        progress._show(e)
    progress.stop()
    view.plan(update_plan())
    text = buffer.getvalue()
    assert "resources done" in text and "CREATE_FAILED" in text
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", text)  # no foreground colour codes
