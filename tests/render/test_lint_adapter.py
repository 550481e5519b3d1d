"""fgc.compiler.lint through real cfn-lint: findings, line numbers, filtering, and the cache."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fgc.compiler import lint_cache
from fgc.compiler.lint import Finding, Linter, LintError, lint
from fgc.compiler.stackset import StackSet
from lint_samples import BROKEN, CLEAN, log_group, template

REPO = Path(__file__).resolve().parents[2]


def line_of(templates: StackSet, name: str, finding: Finding) -> str:
    return templates.body(name).splitlines()[finding.line - 1]


def test_errors_point_at_the_lines_of_the_rendered_json(tmp_path: Path) -> None:
    templates = StackSet.of("demo", {"root": CLEAN, "service-api": BROKEN})
    findings = lint(templates)
    errors = [f for f in findings if f.level == "error"]
    by_rule = {f.rule: f for f in errors}
    assert {f.template for f in findings} == {"service-api"}
    assert '"Nope": 1' in line_of(templates, "service-api", by_rule["E3002"])
    assert '"VpcEndpointType": "Bad"' in line_of(templates, "service-api", by_rule["E3030"])
    first = by_rule["E3002"]
    assert str(first) == f"service-api.json:{first.line}: E3002: {first.message}"
    assert "Nope" in first.message and first.column > 1


def test_informational_findings_are_only_the_rules_the_project_enforces() -> None:
    stateful_without_policies = template(
        {
            "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 7}},
            "Role": {
                "Type": "AWS::IAM::Role",
                "Properties": {
                    "AssumeRolePolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                "Action": "sts:AssumeRole",
                            }
                        ],
                    },
                    "ManagedPolicyArns": [
                        {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:policy/hard-coded-partition"}
                    ],
                },
            },
        }
    )
    findings = lint(StackSet.of("demo", {"service-api": stateful_without_policies}))
    assert {(f.rule, f.level) for f in findings} == {("I3011", "informational"), ("I3042", "informational")}


def test_results_come_from_the_cache_on_the_second_run(session_cache: Path) -> None:
    unique = template({"Logs": log_group(Metadata={"test": "cache-hit"})})
    templates = StackSet.of("demo", {"root": unique, "network": BROKEN})
    first = Linter().run(templates)
    assert first.linted >= 1
    keys = [lint_cache.cache_key(templates.sha256(n), ("us-east-1",), ("I3011", "I3042")) for n in templates]
    assert all((session_cache / "lint" / f"{k}.json").is_file() for k in keys)
    second = Linter().run(templates)
    assert second.findings == first.findings
    assert (second.cache_hits, second.linted, second.workers) == (2, 0, 0)


def lint_in_fresh_process(cache: Path, cwd: Path = REPO) -> list:
    """[finding rules, templates linted, whether cfn-lint got imported] from a new interpreter."""
    script = (
        "import json, sys\n"
        "from fgc.compiler.lint import Linter\n"
        "from fgc.compiler.stackset import StackSet\n"
        f"t = StackSet.of('demo', {{'root': json.loads({json.dumps(json.dumps(BROKEN))})}})\n"
        "done = Linter().run(t)\n"
        "print(json.dumps([[f.rule for f in done.findings], done.linted, 'cfnlint' in sys.modules]))\n"
    )
    env = {**os.environ, "FGC_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO), "HOME": str(cwd)}
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_a_warm_run_never_imports_cfn_lint(tmp_path: Path) -> None:
    """In a fresh interpreter with a filled cache, cfn-lint must not even be imported."""
    cold, warm = lint_in_fresh_process(tmp_path), lint_in_fresh_process(tmp_path)
    assert cold[1:] == [1, True]
    assert warm == [cold[0], 0, False]


def test_cfnlintrc_files_do_not_change_results(tmp_path: Path) -> None:
    """Cached results must not depend on where they were computed."""
    (tmp_path / ".cfnlintrc").write_text("ignore_checks: [E3002, E3030]\n")
    assert lint_in_fresh_process(tmp_path / "a", cwd=tmp_path)[0] == lint_in_fresh_process(tmp_path / "b")[0]
    assert "E3002" in lint_in_fresh_process(tmp_path / "c", cwd=tmp_path)[0]


def test_identical_templates_are_linted_once() -> None:
    same = template({"Logs": log_group(Metadata={"test": "dedupe"})})
    done = Linter().run(StackSet.of("demo", {"service-a": same, "service-b": same}))
    assert (done.templates, done.linted) == (2, 1)


def test_the_region_is_part_of_the_cache_key() -> None:
    templates = StackSet.of("demo", {"root": template({"Logs": log_group(Metadata={"test": "region"})})})
    Linter().run(templates, regions=["us-east-1"])
    assert Linter().run(templates, regions=["eu-west-1"]).linted == 1


def test_a_corrupt_cache_entry_is_a_miss_and_is_rewritten(session_cache: Path) -> None:
    templates = StackSet.of("demo", {"root": template({"Logs": log_group(Metadata={"test": "corrupt"})})})
    lint(templates)
    key = lint_cache.cache_key(templates.sha256("root"), ("us-east-1",), ("I3011", "I3042"))
    entry = session_cache / "lint" / f"{key}.json"
    for damage in ("{half", '[{"line": 1}]', "[1]"):
        entry.write_text(damage, encoding="utf-8")
        done = Linter().run(templates)
        assert (done.findings, done.linted) == ([], 1)
        assert json.loads(entry.read_text(encoding="utf-8")) == []


def test_an_unknown_region_is_a_user_error() -> None:
    with pytest.raises(LintError, match="xx-nowhere-1"):
        lint(
            StackSet.of("demo", {"root": template({"L": log_group(Metadata={"t": "r"})})}),
            regions=["xx-nowhere-1"],
        )


def test_the_package_level_lint_is_the_function_even_after_the_module_is_imported() -> None:
    import importlib

    from fgc import compiler

    module = importlib.import_module("fgc.compiler.lint")
    assert compiler.lint is module.lint


def test_cache_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FGC_CACHE_DIR", str(tmp_path / "fgc"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert lint_cache.cache_dir() == tmp_path / "fgc" / "lint"
    monkeypatch.delenv("FGC_CACHE_DIR")
    assert lint_cache.cache_dir() == tmp_path / "xdg" / "fgc" / "lint"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lint_cache.cache_dir() == tmp_path / "home" / ".cache" / "fgc" / "lint"


def test_an_unwritable_cache_only_costs_speed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("FGC_CACHE_DIR", str(blocker))
    templates = StackSet.of("demo", {"service-api": BROKEN})
    first, second = Linter().run(templates), Linter().run(templates)
    assert [f.rule for f in first.findings] == [f.rule for f in second.findings]
    assert second.linted == 1
