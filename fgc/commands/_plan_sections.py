"""The words of a plan's review (:class:`fgc.deployer.review.Review`), shared by text and markdown."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgc.deployer.review import CostChange, Review
    from fgc.deployer.traffic_effect import Traffic

#: The sections above a plan's table: (title, what ``Review`` holds them in).
TITLES = {"risks": "Risks", "security": "Security"}
COST_SOURCE = "`fgc cost` shows the assumptions and unit prices"


def traffic_line(entry: Traffic) -> str:
    """``web: starts a new ECS deployment (rolling; about 3 min)``."""
    return f"{entry.service}: {entry.text}"


def cost_header(change: CostChange) -> str:
    """The first line of the cost change: the total's change, or why there is none."""
    if change.unknown is not None:
        return f"Monthly cost change not shown: {change.unknown}"
    if not change.changes:
        return "Monthly cost change: none"
    unpriced = sum(item.unpriced for item in change.changes)
    left_out = f"; not counting {unpriced} without a price here" if unpriced else ""
    return f"Monthly cost change: {change.total} ({change.region}{left_out}; {COST_SOURCE})"


def cost_lines(change: CostChange | None) -> list[str]:
    """The cost change as the text plan shows it under its table: the header, then one line per item."""
    if change is None:
        return []
    return [cost_header(change), *(f"  {item}" for item in change.changes)]


def section_lines(review: Review) -> list[tuple[str, str | None]]:
    """(line, style) of the risk, security and traffic sections; a section with nothing is left out."""
    lines: list[tuple[str, str | None]] = []
    for key, title in TITLES.items():
        findings = getattr(review, key)
        if findings:
            lines.append((f"{title}:", "bold"))
            lines += [(f"  ! {finding}", "red" if key == "security" else "yellow") for finding in findings]
    if review.traffic:
        lines.append(("Traffic:", "bold"))
        lines += [(f"  {traffic_line(entry)}", None) for entry in review.traffic]
    return lines
