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


def run_checks(spec: Any, target: Any, output: str = "text") -> Any:
    """Run the checks (what a rehearsal stood in is listed as skipped, not asked), print the
    checklist on stderr (``output="json"``: nothing, the caller prints :func:`as_json`), and fail
    (exit 1) when any check failed."""
    from fgc.deployer.errors import DeployFailed
    from fgc.deployer.preflight import preflight

    report = preflight(spec, target.aws, [s.name for s in target.stand_ins])
    for check in report.checks if output == "text" else ():
        detail = f": {check.detail}" if check.detail else ""
        fix = f" (fix: {check.fix})" if check.fix else ""
        line = f"preflight {_MARKS[check.status]} {check.id} {check.what} [{check.key}]{detail}{fix}"
        print(line, file=sys.stderr)
    if report.failed and output == "text":
        first = report.failed[0]
        raise DeployFailed(
            f"preflight: {len(report.failed)} check(s) failed; {first.id} {first.what} at {first.key}: "
            f"{first.detail}",
            f"{first.fix}; or deploy anyway with --no-preflight",
        )
    return report


def as_json(report: Any) -> dict[str, Any]:
    """``fgc preflight --output json`` (docs/preflight.md): every check, the failures counted."""
    return {
        "format": 1,
        "checks": [
            {
                "id": c.id,
                "status": c.status,
                "what": c.what,
                "key": c.key,
                "detail": c.detail,
                "fix": c.fix,
            }
            for c in report.checks
        ],
        "failed": len(report.failed),
        "calls": report.calls,
        "seconds": round(report.seconds, 3),
    }
