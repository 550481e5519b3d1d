"""Wall time of computing an image's content tag (`fgc.compiler.build_context.content_tag`).

Run: .venv/bin/python bench/content_tag.py [--runs 15] [--files 5000]
Two contexts: the repo's `app/` (with `app/Dockerfile`), and a generated one of `--files` files
(2 KB each on average, 50 folders of 10 sub-folders, a `.dockerignore` with a `**` pattern, an
exception and an excluded folder of another 10% of files, as `node_modules` or `.git` would be).
The function runs in-process, as `fgc render` and `fgc deploy` call it: each run walks the context,
applies the ignore rules and hashes every file; after the first (untimed) run the files are in the
page cache, as they are for a user who just edited them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import process  # noqa: E402
from fgc.compiler.build_context import ImageBuild, content_tag, context_files  # noqa: E402


def generated_context(root: Path, files: int) -> ImageBuild:
    """`files` files under 50 x 10 folders, plus ignored ones, deterministic content."""
    (root / "Dockerfile").write_text("FROM scratch\nCOPY . /app\n")
    (root / ".dockerignore").write_text("**/*.log\nvendor\n!src/keep.log\n")
    for n in range(files):
        folder = root / "src" / f"pkg{n % 50}" / f"mod{n % 500 // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"file{n}.py").write_bytes(f"# file {n}\n".encode() * (n % 400 + 10))
    (root / "vendor").mkdir()
    for n in range(files // 10):
        (root / "vendor" / f"dep{n}.js").write_text("x" * 100)
        (root / "src" / f"pkg{n % 50}" / f"debug{n}.log").write_text("log")
    return ImageBuild(root)


def timed(build: ImageBuild, runs: int) -> list[float]:
    content_tag(build)  # warm-up: page cache, imports
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        content_tag(build)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--files", type=int, default=5000)
    args = parser.parse_args()
    app = ImageBuild(process.REPO / "app")
    rows = []
    with tempfile.TemporaryDirectory(prefix="fgc-bench-context-") as folder:
        generated = generated_context(Path(folder), args.files)
        contexts = (("app/", app), (f"generated {args.files} files", generated))
        for label, build in contexts:
            hashed = sum(1 for name, _ in context_files(build) if not name.endswith("/"))
            samples = timed(build, args.runs)
            rows.append(
                [
                    label,
                    str(hashed),
                    f"{statistics.median(samples) * 1000:.1f}",
                    f"{min(samples) * 1000:.1f}",
                    f"{max(samples) * 1000:.1f}",
                    content_tag(build),
                ]
            )
    print(f"content_tag, {args.runs} runs each; {process.load_note()}:")
    process.print_table(["context", "files hashed", "median ms", "min ms", "max ms", "tag"], rows)


if __name__ == "__main__":
    main()
