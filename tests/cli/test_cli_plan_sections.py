"""The cost line of a plan's review: a total that leaves out items without a price says so."""

from __future__ import annotations

from fgc.compiler.cost import Change
from fgc.deployer.review import CostChange

from fgc.commands._plan_sections import cost_header


def test_a_total_without_some_prices_says_how_many_it_leaves_out() -> None:
    priced = Change("NAT gateways", "2 x 730 h", "none", 65.7, 65.7)
    unpriced = Change("Container Insights", "1 cluster", "none", 0.0, 0.0, unpriced=True)
    complete = CostChange("eu-central-1", (priced,), 65.7, 65.7)
    partial = CostChange("eu-central-1", (priced, unpriced), 65.7, 65.7)
    assert cost_header(complete).startswith("Monthly cost change: +$65.70/month (eu-central-1; `fgc cost`")
    assert cost_header(partial).startswith(
        "Monthly cost change: +$65.70/month (eu-central-1; not counting 1 without a price here; `fgc cost`"
    )
