"""Whole-process wall time of `fgc validate` on the repo's fargate.yaml (issue 2's budget: 0.25 s median).

Run: .venv/bin/python bench/validate.py [--runs 15]
Each run of fgc is paired with a run of the bare interpreter (`python -c pass`), so a
reader can tell a slow machine from a slow fgc: on this VM the same command's median
drifts by a third from one minute to the next. A third command does only what any
validate must (``DEPENDENCIES``): the distance from it to fgc is fgc's own time.
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

#: What any ``fgc validate`` must pay before reading a spec: the interpreter, fgc's
#: start-up settings, and importing argparse, PyYAML and pydantic with one model built;
#: it leaves, as fgc does, without the interpreter's teardown. fgc's own share is the
#: distance from this line to ``fgc validate``.
DEPENDENCIES = """
from fgc.startup import collect_garbage_rarely, skip_pydantic_plugin_scan
skip_pydantic_plugin_scan()
collect_garbage_rarely()
import argparse, os, yaml
from pydantic import BaseModel
class Floor(BaseModel):
    x: int
Floor(x=1)
os._exit(0)
"""


def wall_times(commands: list[list[str]], runs: int) -> list[list[float]]:
    """Seconds of ``runs`` runs of each command, interleaved so they share the machine's mood."""
    for command in commands:  # warm-up: file caches, bytecode
        subprocess.run(command, cwd=REPO, capture_output=True, check=True)
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, samples in zip(commands, times, strict=True):
            start = time.perf_counter()
            subprocess.run(command, cwd=REPO, capture_output=True, check=True)
            samples.append(time.perf_counter() - start)
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
    commands = [[fgc, "validate"], [sys.executable, "-c", DEPENDENCIES], [sys.executable, "-c", "pass"]]
    times = wall_times(commands, args.runs)
    print(f"fgc validate (repo fargate.yaml + 2 environments), {args.runs} runs; {process.load_note()}:")
    for label, samples in zip(("fgc validate", "dependencies", "python -c pass"), times, strict=True):
        median, low, high = statistics.median(samples), min(samples), max(samples)
        print(f"  {label:<15} median {median:.3f} s   min {low:.3f} s   max {high:.3f} s")
    print(f"  heavy modules imported: {heavy_imports() or 'none'}")


if __name__ == "__main__":
    main()
