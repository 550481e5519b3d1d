"""Property values in the text plan: short, under their resource, on a terminal and off it."""

from __future__ import annotations

import io

from fgc.deployer.plan import Cause, Plan, PropertyChange, ResourceChange, StackPlan
from rich.console import Console

from fgc.commands._values import shorten_pair, value_line
from fgc.commands._view import View

IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/flask-api"
TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/flask-api-prod-api:7"


def test_a_shared_beginning_is_cut_at_a_separator() -> None:
    assert shorten_pair(f"{IMAGE}:v1.0.0", f"{IMAGE}:v1.1.0") == ("...:v1.0.0", "...:v1.1.0")
    assert shorten_pair("512", "1024") == ("512", "1024")
    assert shorten_pair("service/a", "service/b") == ("service/a", "service/b")  # too short to cut


def test_a_long_value_keeps_its_end_from_a_separator() -> None:
    before, after = shorten_pair(TASK_ARN, None)
    assert after is None and before is not None
    assert before.startswith("...") and before.endswith("task-definition/flask-api-prod-api:7")
    assert len(before) <= 60
    long_word = "x" * 100
    shown = shorten_pair(long_word, None)[0]
    assert shown is not None and len(shown) == 59 and "..." in shown


def test_value_lines_say_added_removed_and_known_after_deploy() -> None:
    assert value_line(PropertyChange("Environment[1]", None, '{"Name":"B"}', "Add")) == (
        'Environment[1]: (none) -> {"Name":"B"}'
    )
    assert value_line(PropertyChange("Command[2]", "x", None, "Remove")) == "Command[2]: x -> (removed)"
    assert value_line(PropertyChange("TaskDefinition", TASK_ARN, None, after_known=False)).endswith(
        "flask-api-prod-api:7 -> (known after deploy)"
    )


def plan() -> Plan:
    values = (
        PropertyChange(
            "ContainerDefinitions[0].Image",
            f"{IMAGE}:v1.0.0",
            f"{IMAGE}:v1.1.0",
            requires_recreation="Always",
            causes=(Cause("ParameterReference", "ImageTag"),),
        ),
        PropertyChange("Cpu", "512", "1024", requires_recreation="Always"),
    )
    task = ResourceChange(
        "Modify",
        "TaskDefinition",
        "AWS::ECS::TaskDefinition",
        "True",
        ("ContainerDefinitions", "Cpu"),
        None,
        values,
    )
    proven = ResourceChange(
        "Modify", "ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget", "Conditional"
    )
    nested = StackPlan("ServiceApi", "service-api", "cs", changes=[task], unchanged=[proven])
    return Plan(
        "flask-api-prod", "fgc-1", "cs", "UPDATE", StackPlan("flask-api-prod", "root", None, nested=[nested])
    )


def test_plain_plan_shows_values_under_the_resource_and_the_proven_no_ops() -> None:
    out = io.StringIO()
    View(out, force_terminal=False).plan(plan())
    lines = out.getvalue().splitlines()
    row = next(n for n, line in enumerate(lines) if "~ TaskDefinition" in line)
    assert lines[row + 1].strip() == "ContainerDefinitions[0].Image: ...:v1.0.0 -> ...:v1.1.0"
    assert lines[row + 2].strip() == "Cpu: 512 -> 1024"
    assert any(line.strip().startswith("no change to ScalableTarget") for line in lines)
    assert lines[-1] == "0 to add, 1 to modify (1 replaced), 0 to remove"


def test_terminal_plan_shows_values_and_fits_80_columns() -> None:
    view = View(io.StringIO(), force_terminal=True)
    view.console = Console(file=view.file, width=80, force_terminal=True, color_system=None)
    view.plan(plan())
    lines = view.file.getvalue().splitlines()
    assert all(len(line) <= 80 for line in lines)
    text = " ".join(" ".join(line.split()) for line in lines)
    assert "ContainerDefinitions[0].Image: ...:v1.0.0 -> ...:v1.1.0" in text
    assert "Cpu: 512 -> 1024" in text
    assert "no change to ScalableTarget" in text
