"""Whole-process wall time of `fgc validate` on the repo's fargate.yaml (issue 2's budget: 0.25 s median).

Run: .venv/bin/python bench/validate.py [--runs 15]
Also reports which heavy modules the validate path imported (must be none).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import process  # noqa: E402

REPO = process.REPO
HEAVY = ("boto3", "botocore", "troposphere", "cfnlint")


def wall_times(command: list[str], runs: int) -> list[float]:
    """Seconds for each of ``runs`` runs of ``command`` (one warm-up run first)."""
    subprocess.run(command, cwd=REPO, capture_output=True, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, cwd=REPO, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return times


def heavy_imports() -> list[str]:
    code = (
        "import sys; from fgc.cli import main; main(['validate']);"
        f"print('heavy:', ','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    line = result.stdout.splitlines()[-1].removeprefix("heavy:").strip()
    return [name for name in line.split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    process.compile_sources()
    fgc = shutil.which("fgc", path=str(Path(sys.executable).parent)) or "fgc"
    times = wall_times([fgc, "validate"], args.runs)
    print(f"fgc validate (repo fargate.yaml + 2 environments), {args.runs} runs:")
    print(f"  median {statistics.median(times):.3f} s   min {min(times):.3f} s   max {max(times):.3f} s")
    print(f"  heavy modules imported: {heavy_imports() or 'none'}")


if __name__ == "__main__":
    main()
