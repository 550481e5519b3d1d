"""Same spec, same bytes; and the compile path never loads boto3 (nor cfn-lint)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from golden_cases import CASES, GOLDEN, compile_case

COMPILER = Path(__file__).resolve().parents[2] / "compiler"


def test_compiling_twice_gives_identical_bytes(golden_outputs) -> None:
    for case in CASES:
        again = compile_case(case)
        for first, second in zip(golden_outputs[case], again, strict=True):
            assert first.names == second.names
            for name in first:
                assert first.body(name) == second.body(name), f"{case} {name}"
            assert first.parameters == second.parameters


def test_compile_imports_no_boto3_and_no_cfn_lint() -> None:
    code = (
        "from fgc import compiler, spec;"
        f"compiler.compile(spec.load({str(GOLDEN / 'repo' / 'fargate.yaml')!r}, environ={{}}))"
    )
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=True
    )
    modules = {
        line.rsplit("|", 1)[-1].strip().split(".")[0] for line in result.stderr.splitlines() if "|" in line
    }
    assert "troposphere" in modules  # the probe sees real imports
    assert not modules & {"boto3", "botocore", "cfnlint", "requests", "urllib3"}


def test_compiler_source_uses_no_clock_randomness_or_aws_sdk() -> None:
    banned = (
        "import boto3",
        "import time",
        "import datetime",
        "import random",
        "import uuid",
        "from datetime",
    )
    for path in COMPILER.glob("*.py"):
        if path.name.startswith("lint"):  # the cfn-lint adapter may cache (compiler/lint*.py)
            continue
        text = path.read_text()
        assert not [b for b in banned if b in text], path.name
