"""``fgc render``: write the stack set's templates for review, linted, byte-identical to a deploy.

Everything that can fail (loading, compiling, linting) happens before the first
byte is written, and each file is replaced atomically, so an error never leaves a
half-written folder. Templates with lint errors are still written, because the
findings' line numbers point into those files; the exit status (1) says they are
not deployable.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgc.compiler.lint import Finding
    from fgc.compiler.stackset import StackSet

DESCRIPTION = (
    "Compile fargate.yaml into nested CloudFormation templates, lint them with cfn-lint and write "
    "them to OUT/<stack>/ (one file per template, plus parameters.json with the root stack's "
    "parameter values such as image tags). The JSON written is exactly what `fgc deploy` uploads. "
    "Files from an earlier render of the same stack set that no longer exist are removed. "
    "Templates with lint errors are still written, so the reported lines can be read; the exit "
    "status is then 1. Warnings (and the informational rules I3011, I3042) are shown but do not "
    "change the exit status."
)

#: Root parameter values file written beside the templates (never a template name).
PARAMETERS_FILE = "parameters.json"

#: Order of the counts in the table's lint column (compiler.lint's levels, most severe first).
LEVEL_ORDER = ("error", "warning", "informational")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", metavar="NAME", help="apply the environment overlay NAME from the spec")
    parser.add_argument(
        "-o",
        "--output",
        default="templates_out",
        metavar="OUT",
        help="folder to write into; each stack set gets OUT/<stack>/ (default: templates_out)",
    )
    parser.add_argument(
        "--format",
        choices=("json", "yaml"),
        default="json",
        help="json (default) is what deploy uploads; yaml is for reading only",
    )
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint")


def run(args: argparse.Namespace) -> int:
    from fgc.commands._warm import warm_up_lint
    from fgc.compiler.lint import DEFAULT_REGION, lint

    if not args.no_lint:
        warm_up_lint(args.file, args.env)
    from fgc import spec
    from fgc.compiler import CompileContext, compile_registries, image_tags
    from fgc.compiler import compile as compile_templates

    document = spec.load(args.file, env=args.env)
    # the tags a deploy would push: read from the build contexts, nothing is built
    templates = compile_templates(document, CompileContext(image_tags=image_tags(document)))
    stack_sets = [templates, *filter(None, [compile_registries(document)])]
    regions = [document.region or DEFAULT_REGION]
    linted = [None if args.no_lint else lint(each, regions=regions) for each in stack_sets]
    written = [
        (Path(args.output) / each.stack_name, rendered_files(each, args.format)) for each in stack_sets
    ]
    for folder, files in written:
        write_folder(folder, files)

    for (folder, files), stack_set, found in zip(written, stack_sets, linted, strict=True):
        rows = [
            (name, len(stack_set[name].get("Resources", {})), len(files[f"{name}.{args.format}"].encode()))
            for name in stack_set
        ]
        print_table(folder, rows, found)
    findings = None if args.no_lint else [f for found in linted for f in found or []]
    folder = written[0][0]
    if not findings:
        return 0
    for finding in findings:
        suffix = "" if finding.level == "error" else f" ({finding.level})"
        print(f"{finding}{suffix}")
    errors = sum(f.level == "error" for f in findings)
    if args.format == "yaml":
        print("note: line numbers refer to the JSON form (fgc render --format json)")
    if errors:
        print(
            f"error: cfn-lint found {errors} error(s); templates written to {folder} for inspection",
            file=sys.stderr,
        )
        return 1
    return 0


def rendered_files(templates: StackSet, fmt: str) -> dict[str, str]:
    """File name -> text for one stack set: each template, then the root parameter values."""
    files = {
        f"{name}.{fmt}": templates.body(name) if fmt == "json" else templates.yaml(name) for name in templates
    }
    import json

    files[PARAMETERS_FILE] = json.dumps(dict(templates.parameters), indent=2, sort_keys=True) + "\n"
    return files


def write_folder(folder: Path, files: dict[str, str]) -> None:
    """Write every file atomically, then remove the templates an earlier render left behind.

    Only ``*.json`` and ``*.yaml`` files are removed: those are the ones fgc writes;
    anything else a user keeps in the folder is left alone.
    """
    from fgc.spec.errors import UsageError

    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            tmp = folder / f".{name}.{os.getpid()}.tmp"  # plain open: the file gets the user's umask
            try:
                with open(tmp, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
                os.replace(tmp, folder / name)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        for stale in sorted(folder.iterdir()):
            if stale.suffix in (".json", ".yaml") and stale.name not in files and stale.is_file():
                stale.unlink()
    except OSError as err:
        where = err.filename or folder
        raise UsageError(f"cannot write {where}: {err.strerror}", hint="check -o/--output") from None


def lint_summary(findings: Sequence[Finding] | None, template: str) -> str:
    """One template's lint cell: ``ok``, ``skipped``, or counts per level."""
    if findings is None:
        return "skipped"
    levels = [f.level for f in findings if f.template == template]
    if not levels:
        return "ok"
    counts = [(levels.count(level), level) for level in LEVEL_ORDER if level in levels]
    plural = {"error": "errors", "warning": "warnings", "informational": "informational"}
    return ", ".join(f"{n} {level if n == 1 else plural[level]}" for n, level in counts)


def print_table(folder: Path, rows: list[tuple[str, int, int]], findings: Sequence[Finding] | None) -> None:
    """The per-template summary: rich on a colour terminal, aligned plain text otherwise."""
    header = ("stack", "resources", "bytes", "lint")
    cells = [
        (name, str(resources), str(size), lint_summary(findings, name)) for name, resources, size in rows
    ]
    title = f"wrote {len(rows)} templates to {folder}"
    if sys.stdout.isatty() and not os.environ.get("NO_COLOR"):
        from rich.console import Console
        from rich.table import Table

        table = Table()
        for i, column in enumerate(header):
            table.add_column(column, justify="right" if i in (1, 2) else "left")
        for row in cells:
            style = "red" if "error" in row[3] else ("yellow" if row[3] not in ("ok", "skipped") else None)
            table.add_row(*row, style=style)
        console = Console()
        console.print(title, highlight=False)
        console.print(table)
        return
    widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]
    print(title)
    for row in [header, *cells]:
        print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}".rstrip())
