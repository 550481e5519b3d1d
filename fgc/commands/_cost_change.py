"""The monthly cost change of a plan, printed under it by ``fgc diff`` and ``fgc deploy``.

Before: the templates the stack set runs now, read back from CloudFormation; after: the
compiled stack set. Both are priced by :mod:`fgc.compiler.cost` with ``fgc cost``'s
default assumptions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgc.compiler.stackset import StackSet
    from fgc.deployer.session import Aws


def cost_change(aws: Aws, templates: StackSet) -> list[str]:
    """The lines to print: one per item whose monthly cost changes (a region without prices: a note)."""
    from fgc.compiler import cost
    from fgc.compiler.prices import UnknownRegion
    from fgc.deployer.deployed import deployed_stack_set

    try:
        after = cost.estimate(templates, aws.region)
    except UnknownRegion as err:
        return [f"Monthly cost change not shown: {err}"]
    deployed = deployed_stack_set(aws, templates.stack_name, templates.labels)
    before = (
        cost.estimate(deployed, aws.region) if deployed else cost.Estimate(aws.region, (), after.assumptions)
    )
    changes = cost.delta(before, after)
    if not changes:
        return ["Monthly cost change: none"]
    total = cost.total_change(before, after)
    header = f"Monthly cost change: {total} ({aws.region}; `fgc cost` shows the assumptions and unit prices)"
    return [header, *(f"  {change}" for change in changes)]
