"""What bounds a cold lint: cfn-lint's own load, and its slowest template.

Run from the repository root::

    .venv/bin/python bench/lint_floor.py            # repo spec + 1/10/50 services
    .venv/bin/python bench/lint_floor.py --sizes 1 --reps 5

Any process that lints must first import cfn-lint and load its rules; forked
workers can share that load but not shorten it, and no worker can lint less than
one whole template. So with C cores a cold ``fgc render`` cannot end before

    interpreter start + cfn-lint load + max(slowest template, all templates / C)

This script measures those parts in fresh processes (with the lint adapter's own
settings, median of ``--reps``) and sets that floor beside the ``cfn-lint`` CLI on
the same files: ``floor/cli`` is the best ratio any design could reach here, the
figure to read next to ``bench/lint.py``'s ``cold/cli``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import process  # noqa: E402
import specs  # noqa: E402

#: Runs in a fresh interpreter: loads cfn-lint as ``compiler.lint`` does (collector
#: settings included), then lints each file once; prints the seconds as JSON.
MEASURE = """
import importlib, json, sys, time
from fgc.startup import collect_garbage_rarely
collect_garbage_rarely()
lint = importlib.import_module("fgc.compiler.lint")
start = time.perf_counter()
lint._config(("us-east-1",))
load = time.perf_counter() - start
each = []
with lint._loaded_heap_frozen():
    for path in sys.argv[1:]:
        body = open(path).read()
        start = time.perf_counter()
        lint._lint_then_collect(body, ("us-east-1",))
        each.append(time.perf_counter() - start)
print(json.dumps({"load": load, "each": each}))
"""


def parts(files: list[str], reps: int) -> tuple[float, list[float]]:
    """Median cfn-lint load time and median lint time of each file, over ``reps`` fresh processes."""
    loads, each = [], []
    for _ in range(reps):
        command = [sys.executable, "-c", MEASURE, *files]
        result = subprocess.run(command, cwd=process.REPO, capture_output=True, text=True, check=True)
        measured = json.loads(result.stdout)
        loads.append(measured["load"])
        each.append(measured["each"])
    return statistics.median(loads), [statistics.median(column) for column in zip(*each, strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 10, 50], help="service counts")
    parser.add_argument("--reps", type=int, default=3, help="samples per measurement (median reported)")
    args = parser.parse_args()
    process.compile_sources()
    cores = len(os.sched_getaffinity(0))
    start = process.median(process.repeat([sys.executable, "-c", "pass"], [{}] * args.reps))

    rows = []
    with tempfile.TemporaryDirectory(prefix="fgc-bench-floor-") as tmp:
        work = Path(tmp)
        for index, (label, spec_path) in enumerate(specs.cases(work, args.sizes)):
            out = work / f"out-{index}"
            process.run([*process.fgc_command(), "render", "--no-lint", "-f", str(spec_path), "-o", str(out)])
            files = [str(path) for path in specs.template_files(out)]
            load, each = parts(files, args.reps)
            floor = start + load + max(max(each), sum(each) / cores)
            cli_samples = process.repeat([*process.cfn_lint_command(), *files], [{}] * args.reps, check=False)
            cli = process.median(cli_samples)
            rows.append(
                (
                    label,
                    len(files),
                    f"{start:.2f}",
                    f"{load:.2f}",
                    f"{max(each):.2f}",
                    f"{sum(each):.2f}",
                    f"{floor:.2f}",
                    f"{cli:.2f}",
                    f"{floor / cli:.2f}",
                )
            )
    print(f"seconds, median of {args.reps} fresh processes, {cores} cores; {process.load_note()}")
    header = ("case", "templates", "start", "load", "slowest", "all", "floor", "cfn-lint", "floor/cli")
    process.print_table(header, rows)


if __name__ == "__main__":
    main()
