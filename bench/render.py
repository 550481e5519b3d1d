"""Benchmark ``fgc render``: whole-process wall time (median of N) and peak memory.

Run from the repository root::

    .venv/bin/python bench/render.py                 # repo spec + 1/10/50/200 services
    .venv/bin/python bench/render.py --sizes 1 10 --reps 3

Measures ``fgc render --no-lint`` on the repo's fargate.yaml and on generated specs,
``fgc render`` with a warm lint cache (the everyday case: templates unchanged), and
the peak RSS of the largest render. Lint cold versus the cfn-lint CLI is in
bench/lint.py. Nothing here asserts: it prints numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import process  # noqa: E402
import specs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[1, 10, 50, 200], help="service counts")
    parser.add_argument("--reps", type=int, default=5, help="samples per measurement (median reported)")
    args = parser.parse_args()
    process.compile_sources()

    rows = []
    with tempfile.TemporaryDirectory(prefix="fgc-bench-render-") as tmp:
        work = Path(tmp)
        for index, (label, spec_path) in enumerate(specs.cases(work, args.sizes)):
            out = work / f"out-{index}"
            cache = {"FGC_CACHE_DIR": str(work / f"cache-{label.replace(' ', '-')}")}
            render = [*process.fgc_command(), "render", "-f", str(spec_path), "-o", str(out)]
            no_lint = process.repeat([*render, "--no-lint"], [cache] * args.reps)
            process.run(render, cache)  # fill the lint cache
            warm = process.repeat(render, [cache] * args.reps)
            templates = specs.template_files(out)
            size = sum(p.stat().st_size for p in templates)
            resources = sum(len(json.loads(p.read_text()).get("Resources", {})) for p in templates)
            rows.append(
                (
                    label,
                    len(templates),
                    resources,
                    f"{size / 1024:.0f} KiB",
                    f"{process.median(no_lint):.3f}",
                    f"{process.median_cpu(no_lint):.3f}",
                    f"{process.median(warm):.3f}",
                    f"{process.median_cpu(warm):.3f}",
                    f"{max(s.max_rss_mb for s in no_lint + warm):.0f}",
                )
            )
    print(f"fgc render, whole process, median of {args.reps}: wall and cpu seconds; peak RSS (MB)")
    print(process.load_note())
    header = ("case", "templates", "resources", "size", "--no-lint", "cpu", "lint warm", "cpu", "peak MB")
    process.print_table(header, rows)


if __name__ == "__main__":
    main()
