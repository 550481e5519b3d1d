"""``fgc diff --drift``: what was changed outside fgc, property by property (the detection is
:mod:`fgc.deployer.drift`'s)."""

from __future__ import annotations

import argparse
import json
from typing import Any


def show_drift(args: argparse.Namespace) -> int:
    """Detect drift on the registries stack (when the spec has one) and the environment's stack set;
    print it; with ``--exit-code``, exit 1 when anything drifted."""
    from fgc.commands._target import open_target
    from fgc.commands._view import View
    from fgc.deployer.build import build
    from fgc.deployer.drift import detect

    built = build(args.file, args.env, region=args.region, check=False)
    view = View()
    sets = [s for s in (built.registries, built.templates) if s is not None]
    with open_target(args, built.spec.region, built.spec) as target:
        reports = [detect(target.aws, s.stack_name, s.labels) for s in sets]
    if args.output == "json":
        print(json.dumps({"stacks": [r.to_dict() for r in reports]}, indent=2), file=view.file)
    else:
        for report in reports:
            render(view, report)
    return 1 if args.exit_code and not all(r.in_sync for r in reports) else 0


def render(view: Any, report: Any) -> None:
    """One stack set's drift: each drifted resource, then each property as expected -> actual."""
    counted = (
        f"{report.checked} resources checked, {report.not_checked} of types drift detection cannot check"
    )
    if report.in_sync:
        view.line(f"No drift: {report.stack_name} is as fgc deployed it ({counted}).", "green")
        return
    view.line(f"Drift of {report.stack_name} ({counted}):", "bold")
    for failure in report.failed:
        view.line(f"  detection failed: {failure}", "red")
    for resource in report.drifted:
        view.line(
            f"  {resource.stack}  {resource.logical_id}  {resource.resource_type}  {resource.status}",
            "yellow",
        )
        view.rows(
            [
                [d.path.lstrip("/"), f"{d.expected} -> {d.actual}", _KINDS[d.kind]]
                for d in resource.differences
            ],
            indent="      ",
        )
    view.line("(expected -> actual; `fgc deploy --revert-drift` puts the expected values back)")


#: What each PropertyDifference type means, in words.
_KINDS = {"NOT_EQUAL": "changed", "ADD": "added outside fgc", "REMOVE": "removed outside fgc"}
