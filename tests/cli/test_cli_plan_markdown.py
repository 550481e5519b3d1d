"""The markdown plan fits a pull-request comment: short parts open, long ones folded, never too long."""

from __future__ import annotations

from fgc.deployer.plan import Plan, PropertyChange, ResourceChange, StackPlan
from fgc.deployer.review import Review
from fgc.deployer.risks import Finding

from fgc.commands._plan_markdown import COLLAPSE_AFTER, MAX_COMMENT, markdown


def plan_with(count: int, message: str = "x") -> tuple[Plan, Review, None]:
    """A plan of ``count`` modified resources in one nested stack, each with a changed value."""
    stack = StackPlan("ServiceWeb", "service-web", None)
    for n in range(count):
        value = PropertyChange(f"Tags[{n}].Value", "a|b", f"{message}{n}")
        stack.changes.append(
            ResourceChange(
                "Modify", f"Resource{n:04d}", "AWS::SSM::Parameter", "False", ("Tags",), values=(value,)
            )
        )
    root = StackPlan("app", "root", None, nested=[stack])
    plan = Plan("app", "fgc-1", None, "UPDATE", root, labels={"ServiceWeb": "service-web"})
    finding = Finding("iam", "service-web", "TaskRole", "AWS::IAM::Role", "policy app allows s3:<Get>Object")
    return plan, Review(security=[finding] * count), None


def test_a_short_plan_is_open_and_its_cells_are_safe() -> None:
    text = markdown([plan_with(2)])
    assert "<details>" not in text
    assert "**2 changes**\n\n| stack | resource | type | action | properties |" in text
    assert (
        "| service-web | `~ Resource0000` | AWS::SSM::Parameter | modify | Tags[0].Value: a\\|b -> x0 |"
        in text
    )
    assert "- `service-web` `TaskRole` (AWS::IAM::Role): policy app allows s3:&lt;Get>Object" in text


def test_a_long_plan_folds_its_table_and_sections() -> None:
    text = markdown([plan_with(COLLAPSE_AFTER + 1)])
    assert f"<details><summary><b>{COLLAPSE_AFTER + 1} changes</b></summary>" in text
    assert f"<details><summary><b>Security</b> ({COLLAPSE_AFTER + 1})</summary>" in text
    assert text.count("<details>") == text.count("</details>") == 2


def test_a_plan_too_long_for_a_comment_keeps_the_first_rows_and_says_how_many_are_left() -> None:
    plan, review, _ = plan_with(3000, message="v" * 40)
    review = Review()  # the table alone is over the limit
    text = markdown([(plan, review, None)])
    assert len(text) <= MAX_COMMENT
    assert "| … | 2800 more (`--output json` lists every change) | | | |" in text
    assert "`~ Resource0199`" in text and "`~ Resource0200`" not in text
