"""fgc.compiler.lint's processes: the warm-up child that loads cfn-lint early, and forked workers.

Each case runs in a fresh interpreter, as `fgc render` does: the test runner has the
emulator's threads, and a process with threads never forks (compiler.lint_fork).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from lint_samples import BROKEN, CLEAN

REPO = Path(__file__).resolve().parents[2]

PRELUDE = f"""
import json, os, signal, sys
from fgc.compiler.lint import LintError, Linter
from fgc.compiler.stackset import StackSet
templates = StackSet.of('demo', {{'root': {CLEAN!r}, 'network': {BROKEN!r}}})
linter = Linter()
def report(done, child):
    try:
        os.kill(child, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    print(json.dumps({{'findings': [[f.template, f.line, f.rule] for f in done.findings], 'linted': done.linted,
                      'workers': done.workers, 'cfnlint_here': 'cfnlint' in sys.modules, 'child_alive': alive}}))
"""


def run(script: str, cache: Path, **env: str) -> dict:
    """Run PRELUDE + ``script`` in a new interpreter with its own lint cache; its JSON report."""
    environ = {k: v for k, v in os.environ.items() if k != "FGC_LINT_WORKERS"}
    environ.update(FGC_CACHE_DIR=str(cache), PYTHONPATH=str(REPO), **env)
    done = subprocess.run(
        [sys.executable, "-c", PRELUDE + script], env=environ, cwd=REPO, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


WARM_LINT = "linter.warm_up(); child = linter.warm_child_pid; report(linter.run(templates), child)\n"


def test_the_warm_child_lints_and_finds_what_this_process_would(tmp_path: Path) -> None:
    warm = run(WARM_LINT, tmp_path / "warm")
    here = run("report(linter.run(templates), os.getpid())\n", tmp_path / "here", FGC_LINT_WORKERS="1")
    assert here["cfnlint_here"] and here["findings"]
    assert warm["findings"] == here["findings"]
    assert (warm["linted"], warm["cfnlint_here"], warm["child_alive"]) == (2, False, False)


def test_parallel_workers_and_one_process_find_the_same(tmp_path: Path) -> None:
    parallel = run("report(linter.run(templates), os.getpid())\n", tmp_path / "parallel")
    serial = run("report(linter.run(templates), os.getpid())\n", tmp_path / "serial", FGC_LINT_WORKERS="1")
    assert parallel["findings"] == serial["findings"] and serial["findings"]
    assert (parallel["workers"], serial["workers"]) == (min(2, len(os.sched_getaffinity(0))), 1)


def test_a_full_cache_hit_stops_the_warm_child_unused(tmp_path: Path) -> None:
    first = run(WARM_LINT, tmp_path)
    second = run(WARM_LINT, tmp_path)
    assert second["findings"] == first["findings"]
    assert (second["linted"], second["cfnlint_here"], second["child_alive"]) == (0, False, False)


def test_a_dead_warm_child_means_linting_here_with_the_same_findings(tmp_path: Path) -> None:
    script = (
        "linter.warm_up(); child = linter.warm_child_pid; os.kill(child, signal.SIGKILL)\n"
        "report(linter.run(templates), child)\n"
    )
    fallback = run(script, tmp_path / "fallback")
    warm = run(WARM_LINT, tmp_path / "warm")
    assert (fallback["findings"], fallback["cfnlint_here"]) == (warm["findings"], True)


def test_the_warm_child_reports_an_unknown_region_as_a_user_error(tmp_path: Path) -> None:
    script = (
        "linter.warm_up(); child = linter.warm_child_pid\n"
        "try:\n    linter.lint(templates, regions=['xx-nowhere-1'])\n"
        "except LintError as err:\n    print(json.dumps({'error': str(err)}))\n"
    )
    assert "xx-nowhere-1" in run(script, tmp_path)["error"]


def test_a_warm_child_never_asked_to_lint_ends_with_its_process(tmp_path: Path) -> None:
    child = run("linter.warm_up(); print(json.dumps({'child': linter.warm_child_pid}))\n", tmp_path)["child"]
    try:
        os.kill(child, 0)
    except ProcessLookupError:
        return
    raise AssertionError(f"warm child {child} outlived its parent")


def test_one_worker_means_no_warm_child(tmp_path: Path) -> None:
    script = "linter.warm_up(); print(json.dumps({'child': linter.warm_child_pid}))\n"
    assert run(script, tmp_path, FGC_LINT_WORKERS="1") == {"child": None}


def test_no_child_when_the_same_input_was_linted_and_cached_before(tmp_path: Path) -> None:
    cold = run(
        "linter.warm_up('input-1'); child = linter.warm_child_pid; report(linter.run(templates), child)\n",
        tmp_path,
    )
    probe = "linter.warm_up({key!r}); print(json.dumps({{'child': linter.warm_child_pid is not None}}))\n"
    assert cold["linted"] == 2
    assert run(probe.format(key="input-1"), tmp_path) == {"child": False}
    assert run(probe.format(key="input-2"), tmp_path) == {"child": True}
    for entry in (tmp_path / "lint").glob("*.json"):
        entry.unlink()  # results gone: the same input warms up again
    assert run(probe.format(key="input-1"), tmp_path) == {"child": True}


def test_the_lint_input_key_follows_what_the_templates_are_made_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fgc.compiler.pipeline import input_key as lint_input_key

    spec_file = tmp_path / "fargate.yaml"
    spec_file.write_text(
        "app: demo\nservices:\n  api:\n    image: nginx:${TAG:-1}\n    command: [$${ESCAPED}]\n"
    )
    for name in ("TAG", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    base = lint_input_key(str(spec_file), None)
    monkeypatch.setenv("UNRELATED", "x")
    monkeypatch.setenv("ESCAPED", "x")  # $${ESCAPED} is the text ${ESCAPED}, not a reference
    assert lint_input_key(str(spec_file), None) == base
    assert lint_input_key(str(spec_file), "prod") != base
    assert lint_input_key(str(spec_file), None, region="eu-west-1") != base
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")  # picks the region linted for
    assert lint_input_key(str(spec_file), None) != base
    monkeypatch.delenv("AWS_DEFAULT_REGION")
    monkeypatch.setenv("TAG", "2")
    assert lint_input_key(str(spec_file), None) != base
    spec_file.write_text("app: other\n")
    assert lint_input_key(str(spec_file), None) not in (base, None)
    assert lint_input_key(str(tmp_path / "absent.yaml"), None) is None


def test_each_linter_owns_its_warm_child(tmp_path: Path) -> None:
    script = (
        "linter.warm_up(); other = Linter(); child = linter.warm_child_pid\n"
        "done = other.run(templates)\n"
        "assert child is not None and linter.warm_child_pid == child  # still waiting for its owner\n"
        "linter.close()\n"
        "report(done, child)\n"
    )
    found = run(script, tmp_path)
    assert found["cfnlint_here"] and found["linted"] == 2  # the other linter did its own work
    assert not found["child_alive"]  # closed by its owner
