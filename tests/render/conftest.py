"""Fixtures for the render / lint / checkov tests.

Test modules import sample templates from lint_samples.py (this folder goes on
sys.path here, since pytest runs with --import-mode=importlib).

The lint cache is the session's own (tests/conftest.py), so the costly first
cfn-lint run of the repo's templates is paid once per session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def fgc_argv() -> list[str]:
    """The installed console script (the real entry point users run)."""
    script = VENV_BIN / "fgc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fgc.cli"]


@pytest.fixture(autouse=True)
def _no_image_tag(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IMAGE_TAG", raising=False)


@pytest.fixture
def fgc(tmp_path: Path) -> Iterator[object]:
    """Run ``fgc ARGS`` as a separate process from the repo root; returns the CompletedProcess."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*fgc_argv(), *args],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )

    yield run
