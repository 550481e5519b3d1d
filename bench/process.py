"""Whole-process measurements: wall time and peak memory of one child process.

Benchmarks time what a user waits for, interpreter start-up and imports included,
so every sample is a fresh process; ``os.wait4`` gives that child's own peak RSS.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Sample:
    seconds: float
    cpu_seconds: float  # user + sys of the child and the workers it waited for
    max_rss_mb: float
    returncode: int


def compile_sources() -> None:
    """Write fresh bytecode for fgc's packages before timing anything.

    A user's Python caches bytecode on the first run; a machine with PYTHONDONTWRITEBYTECODE set
    (this one) never does, and every timed run would then include compiling fgc's own sources.
    """
    packages = ["spec", "compiler", "deployer", "fgc", "emulator"]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *packages], cwd=REPO, check=True)


def fgc_command() -> list[str]:
    """The installed ``fgc`` console script, or the CLI module when it is not installed yet."""
    script = VENV_BIN / "fgc"
    return [str(script)] if script.exists() else [sys.executable, "-m", "fgc.cli"]


def cfn_lint_command() -> list[str]:
    script = VENV_BIN / "cfn-lint"
    return [str(script) if script.exists() else shutil.which("cfn-lint") or "cfn-lint"]


def run(argv: Sequence[str], env: dict[str, str] | None = None, cwd: Path = REPO) -> Sample:
    """Run `argv` once, output discarded; wall time from spawn to exit and the child's peak RSS."""
    start = time.perf_counter()
    child = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Sample(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode)


def median(samples: Sequence[Sample]) -> float:
    return statistics.median(s.seconds for s in samples)


def median_cpu(samples: Sequence[Sample]) -> float:
    return statistics.median(s.cpu_seconds for s in samples)


def load_note() -> str:
    """The 1-minute load average next to the core count: wall times mean little on a busy machine."""
    return f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"


def repeat(argv: Sequence[str], envs: Sequence[dict[str, str]], check: bool = True) -> list[Sample]:
    """One sample of `argv` per environment in `envs`; with `check`, a failure stops the bench."""
    samples = [run(argv, env) for env in envs]
    failed = [s for s in samples if check and s.returncode != 0]
    if failed:
        raise SystemExit(f"{' '.join(argv)} failed with exit status {failed[0].returncode}")
    return samples


def print_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        rest = [f"{cell!s:>{width}}" for cell, width in zip(row[1:], widths[1:], strict=True)]
        print("  ".join([f"{row[0]!s:<{widths[0]}}", *rest]))
