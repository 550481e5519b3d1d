"""Golden templates: every case compiles to exactly the files stored beside it.

Expected files: tests/golden/<case>/<stack name>/<template>.json (the canonical body)
and parameters.json (the root parameter values). On a difference the failure lists,
per template, the resources added, removed and changed, each change as a JSON diff.

Regenerate after an intended change, then review the diff in git:

    FGC_REGEN_GOLDEN=1 .venv/bin/pytest tests/compiler/test_compiler_golden.py
"""

from __future__ import annotations

import difflib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from fgc.compiler import StackSet
from golden_cases import CASES, GOLDEN, REPO_SPEC, compile_case

REGEN = os.environ.get("FGC_REGEN_GOLDEN") == "1"


def _dump(value: Any) -> list[str]:
    return json.dumps(value, indent=2, ensure_ascii=False).splitlines(keepends=True)


def _section_diff(name: str, section: str, expected: dict, actual: dict) -> list[str]:
    """Readable differences of one section (Resources, Parameters, Outputs) of one template."""
    lines = []
    for key in sorted(set(expected) - set(actual)):
        lines.append(f"{name}: {section}.{key} removed")
    for key in sorted(set(actual) - set(expected)):
        lines.append(f"{name}: {section}.{key} added: {json.dumps(actual[key])[:300]}")
    for key in [k for k in actual if k in expected and actual[k] != expected[k]]:
        diff = difflib.unified_diff(_dump(expected[key]), _dump(actual[key]), "expected", "actual", n=2)
        lines.append(f"{name}: {section}.{key} changed:\n" + "".join(diff))
    return lines


def template_diff(name: str, expected: dict, actual: dict) -> list[str]:
    lines = []
    for section in sorted(set(expected) | set(actual)):
        want, got = expected.get(section), actual.get(section)
        if want == got:
            continue
        if isinstance(want, dict) and isinstance(got, dict):
            lines += _section_diff(name, section, want, got)
        else:
            lines.append(f"{name}: {section}: expected {json.dumps(want)[:200]}, got {json.dumps(got)[:200]}")
    return lines


def _write(folder: Path, templates: StackSet) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in templates:
        (folder / f"{name}.json").write_text(templates.body(name), encoding="utf-8")
    (folder / "parameters.json").write_text(json.dumps(dict(templates.parameters), indent=2) + "\n")


def _compare(folder: Path, templates: StackSet) -> list[str]:
    if not folder.is_dir():
        return [f"{folder} missing: regenerate with FGC_REGEN_GOLDEN=1"]
    problems = []
    stored = {p.stem for p in folder.glob("*.json")} - {"parameters"}
    for name in sorted(stored - set(templates)):
        problems.append(f"template {name} no longer produced")
    for name in templates:
        path = folder / f"{name}.json"
        if not path.exists():
            problems.append(f"template {name} is new")
            continue
        text = path.read_text(encoding="utf-8")
        if text == templates.body(name):
            continue
        found = template_diff(name, json.loads(text), templates[name])
        problems += found or [f"{name}: same content, different text (key order or formatting)"]
    parameters = json.loads((folder / "parameters.json").read_text())
    if parameters != dict(templates.parameters):
        problems.append(f"root parameters: expected {parameters}, got {dict(templates.parameters)}")
    return problems


@pytest.mark.parametrize("case", CASES)
def test_golden_case_matches_stored_templates(case: str) -> None:
    problems = []
    for templates in compile_case(case):
        folder = GOLDEN / case / templates.stack_name
        if REGEN:
            _write(folder, templates)
        else:
            problems += _compare(folder, templates)
    assert not problems, "\n".join(problems)


def test_golden_repo_case_is_the_repos_fargate_yaml() -> None:
    """The 'repo' case must track the fargate.yaml at the repository root (copied on regeneration)."""
    copy = GOLDEN / "repo" / "fargate.yaml"
    if REGEN:
        shutil.copyfile(REPO_SPEC, copy)
    assert copy.read_bytes() == REPO_SPEC.read_bytes(), "regenerate: FGC_REGEN_GOLDEN=1"


def test_golden_diff_names_the_changed_resource() -> None:
    """The failure message says which resource changed and how (the harness itself works)."""
    expected = {"Resources": {"A": {"Type": "X", "Properties": {"Port": 80}}, "B": {"Type": "Y"}}}
    actual = {"Resources": {"A": {"Type": "X", "Properties": {"Port": 8080}}, "C": {"Type": "Z"}}}
    lines = template_diff("service-api", expected, actual)
    text = "\n".join(lines)
    assert "service-api: Resources.B removed" in text
    assert "service-api: Resources.C added" in text
    assert "Resources.A changed" in text and '-    "Port": 80' in text and '+    "Port": 8080' in text
