"""Shared fixtures for compiler tests: the golden cases, compiled once per session.

Test modules import helpers from golden_cases.py (this folder goes on sys.path here,
since pytest runs with --import-mode=importlib).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fgc.compiler import StackSet  # noqa: E402
from golden_cases import CASES, compile_case  # noqa: E402


@pytest.fixture(scope="session")
def golden_outputs() -> dict[str, list[StackSet]]:
    """Every golden case compiled: case -> one StackSet per environment (base first)."""
    return {case: compile_case(case) for case in CASES}


@pytest.fixture(scope="session")
def repo_templates(golden_outputs: dict[str, list[StackSet]]) -> StackSet:
    """The repo's fargate.yaml (its golden copy), base document."""
    return golden_outputs["repo"][0]
