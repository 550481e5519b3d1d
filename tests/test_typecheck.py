"""The type checker is part of the test command: mypy over all of fgc's code reports 0 errors.

``fgc.spec``, ``fgc.compiler``, ... are the top-level folders ``spec/``, ``compiler/``, ... mapped
into ``fgc`` by setuptools' ``package-dir``; an editable install serves them through an import
hook that no type checker can see. So this test lays the package out as a regular install would
(``fgc/`` with a symlink per file of the ``fgc`` folder and one per mapped folder, read from
pyproject.toml) in a temporary folder and runs mypy on that tree with the repo's ``[tool.mypy]``
settings. mypy's cache (``.mypy_cache/``) is keyed by module, not by path, so a second run
re-checks only what changed. Failures name the repo's files, not the tree's.

Run alone with ``.venv/bin/python -m pytest tests/test_typecheck.py``.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".mypy_cache"


def package_dirs() -> dict[str, Path]:
    """Import path (``fgc/spec``) -> the repo folder installed there (``spec``), longest first."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["package-dir"]
    dirs = {name.replace(".", "/"): REPO / folder for name, folder in config.items()}
    return dict(sorted(dirs.items(), key=lambda item: -len(item[0])))


def lay_out(tree: Path, dirs: dict[str, Path]) -> None:
    """The installed layout of ``fgc`` under ``tree``, as symlinks into the repo."""
    (tree / "fgc").mkdir()
    for entry in dirs["fgc"].iterdir():
        if entry.name != "__pycache__":
            (tree / "fgc" / entry.name).symlink_to(entry)
    for name in sorted(dirs, key=len):
        if not (tree / name).exists():  # else a sub-package that came with its mapped parent
            (tree / name).symlink_to(dirs[name], target_is_directory=True)


def repo_paths(report: str, dirs: dict[str, Path]) -> str:
    """mypy's ``fgc/spec/models.py:12: error ...`` lines as ``spec/models.py:12: error ...``."""
    lines = []
    for line in report.splitlines():
        for name, folder in dirs.items():
            if line.startswith(name + "/"):
                line = folder.relative_to(REPO).as_posix() + line[len(name) :]
                break
        lines.append(line)
    return "\n".join(lines)


def test_mypy_reports_no_errors(tmp_path: Path) -> None:
    lay_out(tmp_path, package_dirs())
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", str(REPO / "pyproject.toml")]
        + ["--cache-dir", str(CACHE), "--no-color-output", "fgc"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = repo_paths(done.stdout + done.stderr, package_dirs())
    if done.returncode != 0:
        pytest.fail("mypy found errors:\n" + report, pytrace=False)
    assert "Success: no issues found" in report
    checked = int(report.rsplit("in ", 1)[1].split()[0])
    sources = [
        p for folder in package_dirs().values() for p in folder.rglob("*.py") if "__pycache__" not in p.parts
    ]
    assert checked == len(set(sources)), report  # every module of fgc, none missed by the layout
