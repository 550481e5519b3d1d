"""What a reviewer reads above a plan's table: risks, security, traffic and the monthly cost change.

:func:`review` reads the deployed templates back once (GetTemplate of the root and of
every nested stack, :mod:`fgc.deployer.deployed`) and compares them with the compiled
stack set; everything after that read is pure (:mod:`fgc.deployer.risks`,
:mod:`fgc.deployer.broadening`, :mod:`fgc.deployer.traffic_effect`, :mod:`fgc.compiler.cost`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fgc.compiler import cost
from fgc.compiler.prices import UnknownRegion
from fgc.compiler.stackset import StackSet
from fgc.deployer.broadening import broadening
from fgc.deployer.deployed import deployed_stack_set
from fgc.deployer.plan import Plan
from fgc.deployer.risks import Finding, risks
from fgc.deployer.session import Aws, aws_call
from fgc.deployer.traffic_effect import Traffic, traffic


@dataclass(frozen=True)
class CostChange:
    """The plan's monthly cost change in ``region``: the items that change and the total's
    change (``low``..``high`` over the scaling ranges); ``unknown`` says why there is none
    (a region without prices)."""

    region: str
    changes: tuple[cost.Change, ...] = ()
    low: float = 0.0
    high: float = 0.0
    unknown: str | None = None

    @property
    def total(self) -> str:
        """``+$36.50/month``, or a range ``+$10.00..+$30.00/month``."""
        return f"{cost.Change('total', '', '', self.low, self.high).amount}/month"


@dataclass(frozen=True)
class Review:
    """The sections of one plan; ``cost`` is None where it is not priced (the registries stack,
    priced with the environments that use it)."""

    risks: list[Finding] = field(default_factory=list)
    security: list[Finding] = field(default_factory=list)
    traffic: list[Traffic] = field(default_factory=list)
    cost: CostChange | None = None


@aws_call
def review(aws: Aws, plan: Plan, stack_set: StackSet, *, priced: bool = True) -> Review:
    """The review of ``plan``, made from ``stack_set`` against what the stack runs now."""
    before = deployed_stack_set(aws, stack_set.stack_name, stack_set.labels)
    return Review(
        risks=risks(plan, before),
        security=broadening(before, stack_set),
        traffic=traffic(plan, stack_set, before),
        cost=cost_change(aws.region, before, stack_set) if priced else None,
    )


def cost_change(region: str, before: StackSet | None, after: StackSet) -> CostChange:
    """The monthly cost change from ``before`` (None: nothing deployed) to ``after``, with ``fgc
    cost``'s default assumptions."""
    try:
        new = cost.estimate(after, region)
    except UnknownRegion as err:
        return CostChange(region, unknown=str(err))
    old = cost.estimate(before, region) if before else cost.Estimate(region, (), new.assumptions)
    return CostChange(
        region,
        tuple(cost.changes(old, new)),
        new.total - old.total,
        new.total_high - old.total_high,
    )
