"""``fgc diagram``: draw the compiled stack set (Graphviz SVG/PNG, Mermaid or dot text)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fgc.commands._target import add_env

DESCRIPTION = (
    "Compile fargate.yaml and draw what it deploys: internet -> Route 53 -> load balancer (listeners, "
    "certificate) -> each service (task count or scaling range, size, port, Spot share) in the private "
    "subnets of every availability zone, NAT gateways or VPC endpoints, Cloud Map names, the secrets "
    "each service reads, its registry and its log group. mermaid and dot are text (mermaid renders in "
    "GitHub READMEs and pull requests); svg and png need Graphviz's `dot` program. The same "
    "fargate.yaml always gives the same bytes."
)

#: Formats by file suffix, for ``-o`` without ``--format``.
SUFFIXES = {".svg": "svg", ".png": "png", ".mmd": "mermaid", ".md": "mermaid", ".dot": "dot", ".gv": "dot"}
INSTALL_HINT = (
    "install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install graphviz), "
    "or use --format mermaid or --format dot"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    parser.add_argument("-o", "--output", metavar="FILE", help="file to write (default: standard output)")
    parser.add_argument(
        "--format",
        choices=("svg", "png", "mermaid", "dot"),
        help="default: from the -o file's suffix (.svg .png .mmd .md .dot .gv), else mermaid",
    )


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.compiler import compile as compile_templates
    from fgc.compiler import compile_registries, diagram
    from fgc.spec.errors import UsageError

    fmt = args.format or SUFFIXES.get(Path(args.output or "").suffix.lower(), "mermaid")
    if fmt == "png" and not args.output:
        raise UsageError("png is binary: give a file with -o", "e.g. fgc diagram -o architecture.png")
    document = spec.load(args.file, env=args.env)
    stack_set = compile_templates(document)
    graph = diagram.build(stack_set, compile_registries(document))
    if fmt == "mermaid":
        data = diagram.to_mermaid(graph, stack_set.stack_name).encode()
    else:
        data = diagram.to_dot(graph, stack_set.stack_name).encode()
        if fmt in ("svg", "png"):
            data = graphviz(data, fmt)
    if not args.output:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return 0
    write_file(Path(args.output), data)
    print(f"wrote {args.output} ({fmt})", file=sys.stderr)
    return 0


def graphviz(dot_text: bytes, fmt: str) -> bytes:
    """Run Graphviz's ``dot`` on the text; without it, a usage error (exit 2) saying how to get it."""
    import shutil
    import subprocess

    from fgc.spec.errors import FgcError, UsageError

    program = shutil.which("dot")
    if program is None:
        raise UsageError(
            f"--format {fmt} needs Graphviz's `dot` program, which is not installed", INSTALL_HINT
        )
    done = subprocess.run([program, f"-T{fmt}"], input=dot_text, capture_output=True, check=False)
    if done.returncode != 0:
        raise FgcError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout


def write_file(path: Path, data: bytes) -> None:
    """Replace ``path`` atomically, so an error never leaves half a drawing."""
    from fgc.spec.errors import FgcError

    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise FgcError(
            f"cannot write {err.filename or path}: {err.strerror}", hint="check -o/--output"
        ) from None
