"""checkov on the golden templates: no failed CloudFormation check, every skip explained.

One checkov run covers every golden case (checkov takes seconds to start). The
only accepted way to skip a check is ``Metadata.checkov.skip`` on the resource with
a written reason, which checkov reports back as the skip's comment.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


@pytest.fixture(scope="module")
def report(checkov: Callable[[Path], dict[str, Any]]) -> dict[str, Any]:
    return checkov(GOLDEN)


def describe(check: dict[str, Any]) -> str:
    return f"{check['check_id']} {check['resource']} in {check['file_path']}: {check['check_name']}"


def test_checkov_scanned_every_golden_resource(report: dict[str, Any]) -> None:
    templates = [json.loads(p.read_text()) for p in GOLDEN.glob("*/*/*.json")]
    resources = sum(len(t.get("Resources", {})) for t in templates)
    assert report["summary"]["parsing_errors"] == 0
    assert resources > 0 and report["summary"]["resource_count"] == resources


def test_no_failed_checks(report: dict[str, Any]) -> None:
    failed = [describe(c) for c in report["results"]["failed_checks"]]
    assert failed == [], "checkov failures:\n" + "\n".join(failed)


def test_every_skip_carries_a_written_reason(report: dict[str, Any]) -> None:
    unexplained = [
        describe(c)
        for c in report["results"]["skipped_checks"]
        if len(c["check_result"].get("suppress_comment") or "") < 10
    ]
    assert unexplained == []
