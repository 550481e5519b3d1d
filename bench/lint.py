"""Benchmark linting: ``fgc render`` cold (empty lint cache) and warm, against the cfn-lint CLI.

Run from the repository root::

    .venv/bin/python bench/lint.py                   # repo spec + 1/10/50 services
    .venv/bin/python bench/lint.py --sizes 1 10 --reps 3

For each case the templates are rendered once, then timed (whole process, median):
``fgc render`` with an empty cache, the same with ``FGC_LINT_WORKERS=1`` (no forked
workers, to show what parallel linting buys), ``fgc render`` with a warm cache, and
``cfn-lint`` itself on the very files render wrote. ``cold/cli`` is the ratio the
project targets (at most 0.6).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import process  # noqa: E402
import specs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 10, 50], help="service counts")
    parser.add_argument("--reps", type=int, default=5, help="samples per measurement (median reported)")
    args = parser.parse_args()
    process.compile_sources()

    rows = []
    with tempfile.TemporaryDirectory(prefix="fgc-bench-lint-") as tmp:
        work = Path(tmp)
        for index, (label, spec_path) in enumerate(specs.cases(work, args.sizes)):
            out = work / f"out-{index}"
            render = [*process.fgc_command(), "render", "-f", str(spec_path), "-o", str(out)]
            fresh = [{"FGC_CACHE_DIR": str(work / f"cache-{index}-{i}")} for i in range(2 * args.reps)]
            parallel = process.repeat(render, fresh[: args.reps])
            serial = process.repeat(render, [{**env, "FGC_LINT_WORKERS": "1"} for env in fresh[args.reps :]])
            warm_env = {"FGC_CACHE_DIR": str(work / f"cache-{index}-warm")}
            process.run(render, warm_env)
            warm = process.repeat(render, [warm_env] * args.reps)
            files = [str(path) for path in specs.template_files(out)]
            cli = process.repeat([*process.cfn_lint_command(), *files], [{}] * args.reps, check=False)
            if any(s.returncode != 0 for s in cli):
                print(f"note: cfn-lint reported findings for {label}", file=sys.stderr)
            rows.append(
                (
                    label,
                    len(files),
                    f"{process.median(parallel):.2f}",
                    f"{process.median(serial):.2f}",
                    f"{process.median(warm):.2f}",
                    f"{process.median(cli):.2f}",
                    f"{process.median(parallel) / process.median(cli):.2f}",
                    f"{process.median_cpu(parallel):.2f}",
                    f"{process.median_cpu(cli):.2f}",
                )
            )
    print(f"whole process, median of {args.reps}, wall seconds unless marked cpu; {process.load_note()}")
    header = ("case", "templates", "cold", "1 worker", "warm", "cfn-lint", "cold/cli", "cold cpu", "cli cpu")
    process.print_table(header, rows)


if __name__ == "__main__":
    main()
