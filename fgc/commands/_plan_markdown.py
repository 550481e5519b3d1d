"""``--output markdown`` of ``fgc diff`` and ``fgc deploy``: the plan as a pull-request comment.

Per stack: a heading, the summary, the risk / security / traffic sections (as in the
text plan), the table of changes, and the monthly cost change. A section or table longer
than :data:`COLLAPSE_AFTER` lines is folded into a ``<details>`` element, so a long plan
stays a short comment; a comment longer than GitHub accepts (:data:`MAX_COMMENT`
characters) keeps the first rows of each table and says how many it left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fgc.deployer.api import DeployResult
    from fgc.deployer.plan import Plan, ResourceChange
    from fgc.deployer.review import Review

#: Lines of a section or rows of a table shown open; a longer one is collapsed.
COLLAPSE_AFTER = 10
#: The most characters GitHub takes in one comment body.
MAX_COMMENT = 65536
#: Table row limits tried, in turn, until the comment fits.
ROW_LIMITS = (None, 200, 50, 10)


def markdown(
    reviewed: Sequence[tuple[Plan, Review | None, DeployResult | None]],
    diagnosis: Sequence[dict[str, Any]] = (),
) -> str:
    """The comment for every plan (registries stack first) and, after a failed deploy, the diagnosis."""
    text = ""
    for limit in ROW_LIMITS:
        blocks = [_plan(plan, review, result, limit) for plan, review, result in reviewed]
        if diagnosis:
            blocks.append(_block("Diagnosis", [_diagnosis(d) for d in diagnosis]))
        text = "\n\n".join(blocks) + "\n"
        if len(text) <= MAX_COMMENT:
            break
    return text


def _plan(plan: Plan, review: Review | None, result: DeployResult | None, limit: int | None) -> str:
    """One stack's plan as markdown."""
    from fgc.commands._plan_sections import TITLES, cost_header, traffic_line
    from fgc.commands._view import summary

    out = [f"### Plan for `{plan.stack_name}`"]
    if plan.is_empty:
        out.append("No changes.")
    else:
        out.append(f"**{summary(plan)}** (change set `{plan.change_set_name}`)")
        for key, title in TITLES.items():
            findings = getattr(review, key) if review else []
            if findings:
                out.append(
                    _block(
                        title,
                        [
                            f"- `{f.stack}` `{f.logical_id}` ({f.resource_type}): {_inline(f.message)}"
                            for f in findings
                        ],
                    )
                )
        if review and review.traffic:
            out.append(_block("Traffic", [f"- {_inline(traffic_line(t))}" for t in review.traffic]))
        out.append(_table(plan, limit))
    if review and review.cost:
        items = [f"- {_inline(str(item))}" for item in review.cost.changes]
        out.append(
            _block(_inline(cost_header(review.cost)), items) if items else f"**{cost_header(review.cost)}**"
        )
    if result is not None:
        out.append(f"**Result:** `{result.stack_name}` {result.status or 'not changed'}")
    return "\n\n".join(out)


def _table(plan: Plan, limit: int | None) -> str:
    """The changes as a table (stack, resource, type, action, properties), collapsed when long."""
    from fgc.commands._view import ACTIONS, unchanged_note, verb

    rows = []
    for stack in plan.root.walk():
        label = plan.stack_name if stack.name == "root" else stack.name
        for change in stack.resource_changes():
            symbol = ACTIONS.get(change.action, ("?", None))[0]
            rows.append(
                [
                    label,
                    f"`{symbol} {change.logical_id}`",
                    change.resource_type,
                    verb(change),
                    _changed(change),
                ]
            )
    for p in plan.parameters:
        rows.append(
            [
                "parameters",
                f"`{p.name}`",
                "",
                "change",
                f"{p.old if p.old is not None else '(none)'} -> {p.new}",
            ]
        )
    shown = rows if limit is None else rows[:limit]
    lines = ["| stack | resource | type | action | properties |", "| --- | --- | --- | --- | --- |"]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in shown]
    if len(shown) < len(rows):
        lines.append(f"| … | {len(rows) - len(shown)} more (`--output json` lists every change) | | | |")
    if unchanged := unchanged_note(plan):
        lines += ["", _inline(unchanged)]
    title = f"{len(rows)} change{'' if len(rows) == 1 else 's'}"
    if len(rows) <= COLLAPSE_AFTER:
        return f"**{title}**\n\n" + "\n".join(lines)
    return f"<details><summary><b>{title}</b></summary>\n\n" + "\n".join(lines) + "\n\n</details>"


def _changed(change: ResourceChange) -> str:
    """The changed properties: each leaf's ``path: before -> after`` when the plan has the values."""
    from fgc.commands._values import value_lines

    return "; ".join(value_lines(change)) if change.values else ", ".join(change.properties)


def _block(title: str, lines: list[str]) -> str:
    """A titled list: open when short, a ``<details>`` element when longer than :data:`COLLAPSE_AFTER`."""
    if len(lines) <= COLLAPSE_AFTER:
        return f"**{title}**\n\n" + "\n".join(lines)
    return (
        f"<details><summary><b>{title}</b> ({len(lines)})</summary>\n\n" + "\n".join(lines) + "\n\n</details>"
    )


def _diagnosis(found: dict[str, Any]) -> str:
    """One failed service: what ECS says, and the likely cause when one is known."""
    text = f"- `{found['service']}` ({found.get('status') or 'unknown'}): {_inline(found.get('what', ''))}"
    cause = found.get("cause")
    return text + (f"; likely cause: {_inline(cause['summary'])}" if cause else "")


def _cell(text: str) -> str:
    """Text safe inside a table cell: pipes escaped, one line."""
    return _inline(text).replace("|", "\\|")


def _inline(text: str) -> str:
    """Text on one line, with "<" escaped (GitHub would read it as the start of an HTML tag)."""
    return " ".join(text.split()).replace("<", "&lt;")
