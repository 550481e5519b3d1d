"""``--output json`` of ``fgc diff`` and ``fgc deploy``: one versioned JSON document on stdout.

The shape is documented in docs/plan-json.md (a JSON Schema that the tests check real
output against). :data:`FORMAT_VERSION` changes when a key is removed or its meaning
changes; adding a key keeps it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fgc.deployer.api import DeployResult
    from fgc.deployer.plan import Plan
    from fgc.deployer.review import CostChange, Review

FORMAT_VERSION = 1


def plan_document(plan: Plan, review: Review | None, result: DeployResult | None = None) -> dict[str, Any]:
    """One stack's plan with its review (and, from ``fgc deploy``, what the deploy did)."""
    from fgc.commands._plan_sections import traffic_line
    from fgc.commands._view import counts

    document = plan.to_dict()
    document["summary"] = counts(plan)
    document["risks"] = [asdict(f) for f in review.risks] if review else []
    document["security"] = [asdict(f) for f in review.security] if review else []
    document["traffic"] = [{**asdict(t), "text": traffic_line(t)} for t in (review.traffic if review else [])]
    document["cost"] = cost_document(review.cost) if review and review.cost else None
    if result is not None:
        document["result"] = {"executed": result.executed, "status": result.status, "outputs": result.outputs}
    return document


def cost_document(change: CostChange) -> dict[str, Any]:
    """The monthly cost change: the total's, and each item's, in USD (``low``..``high`` over scaling)."""
    from fgc.commands._plan_sections import cost_header

    return {
        "region": change.region,
        "text": cost_header(change),
        "total": None if change.unknown else change.total,
        "total_usd": None if change.unknown else round(change.low, 2),
        "total_high_usd": None if change.unknown else round(change.high, 2),
        "unknown": change.unknown,
        "changes": [
            {
                "item": item.item,
                "detail": item.detail,
                "was": item.was,
                "amount": item.amount,
                "amount_usd": None if item.unpriced else round(item.low, 2),
                "amount_high_usd": None if item.unpriced else round(item.high, 2),
                "text": str(item),
            }
            for item in change.changes
        ],
    }


def document(
    reviewed: Sequence[tuple[Plan, Review | None, DeployResult | None]],
    diagnosis: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The whole output: the environment's plan (the last) as the object, the registries stack's
    (when there is one) under ``registries``, and from a failed ``fgc deploy`` the diagnosis of
    each service that failed."""
    found = plan_document(*reviewed[-1])
    if len(reviewed) > 1:
        found["registries"] = plan_document(*reviewed[0])
    if diagnosis:
        found["diagnosis"] = list(diagnosis)
    return {"format_version": FORMAT_VERSION, **found}
