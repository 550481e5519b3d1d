"""The preflight checklist, as ``fgc preflight``, ``fgc diff`` and ``fgc deploy`` print it."""

from __future__ import annotations

import argparse
import sys
from typing import Any

_MARKS = {"passed": "ok  ", "failed": "FAIL", "skipped": "skip"}


def add_no_preflight(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--no-preflight",
        action="store_true",
        help="skip the read-only checks of images, secrets, certificates",
    )


def run_checks(spec: Any, target: Any) -> Any:
    """Run the checks (what a rehearsal stood in is not checked), print the checklist on stderr,
    and fail (exit 1) when any check failed."""
    from fgc.deployer.errors import DeployFailed
    from fgc.deployer.preflight import preflight

    report = preflight(spec, target.aws, [s.name for s in target.stand_ins])
    for check in report.checks:
        detail = f": {check.detail}" if check.detail else ""
        fix = f" (fix: {check.fix})" if check.fix else ""
        print(f"preflight {_MARKS[check.status]} {check.what} [{check.key}]{detail}{fix}", file=sys.stderr)
    if report.failed:
        first = report.failed[0]
        raise DeployFailed(
            f"preflight: {len(report.failed)} check(s) failed; {first.what} at {first.key}: {first.detail}",
            f"{first.fix}; or deploy anyway with --no-preflight",
        )
    return report
