"""``fgc render``: write the stack set's templates for review, linted, byte-identical to a deploy.

The pipeline (:mod:`compiler.pipeline`) loads, compiles and lints; the folder is
written by :func:`compiler.output.write_rendered`, which replaces and removes only
files an earlier render wrote, and checks everything before the first byte is
written. Templates with lint errors are still written, because the findings' line
numbers point into those files; the exit status (1) says they are not deployable.
"""

from __future__ import annotations

import argparse
import os
import shlex
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
    "Files from an earlier render of the same stack set that no longer exist are removed; files "
    "render did not write (or that were changed since) are never replaced or removed: render stops "
    "before writing anything if one is in the way. "
    "Templates with lint errors are still written, so the reported lines can be read; the exit "
    "status is then 1. Warnings (and the informational rules I3011, I3042) are shown but do not "
    "change the exit status. "
    "--check writes nothing: it compares OUT/<stack>/ with what render would write there and exits 1 "
    "naming every file that differs, is missing or is extra (for CI over a committed templates_out/)."
)

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
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="region to lint for (default: the spec's, then AWS_REGION, AWS_DEFAULT_REGION, us-east-1)",
    )
    parser.add_argument("--no-lint", action="store_true", help="skip cfn-lint")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 naming every file of OUT/<stack>/ that differs, is missing or is extra",
    )


def run(args: argparse.Namespace) -> int:
    from fgc.compiler.pipeline import warmed_linter

    linter = None if args.no_lint else warmed_linter(args.file, args.env, args.region)
    from fgc.compiler.output import rendered_files, write_rendered
    from fgc.compiler.pipeline import prepare

    prepared = prepare(args.file, args.env, region=args.region, lint=not args.no_lint, linter=linter)
    findings = prepared.findings
    # the environment's stack set (image tags, content tags included: nothing is built), then the
    # application's <app>-registries stack set in its own folder
    stack_sets = [prepared.templates, *([prepared.registries] if prepared.registries else [])]
    if args.check:
        return check(args, stack_sets) | report_findings(prepared.findings, args.format, written_to=None)
    written = []
    for stack_set in stack_sets:
        files = rendered_files(stack_set, args.format)
        written.append(
            (
                write_rendered(Path(args.output) / stack_set.stack_name, files, keep=[args.file]).folder,
                stack_set,
                files,
            )
        )
    for where, stack_set, files in written:
        rows = [
            (name, len(stack_set[name].get("Resources", {})), len(files[f"{name}.{args.format}"].encode()))
            for name in stack_set
        ]
        print_table(where, rows, findings)
    return report_findings(findings, args.format, written_to=written[0][0])


def check(args: argparse.Namespace, stack_sets: Sequence[StackSet]) -> int:
    """``--check``: one line per file out of sync (or per folder in sync); 1 when any is out of sync."""
    from fgc.compiler.output import compare_rendered, rendered_files

    drifts = [
        compare_rendered(
            Path(args.output) / stack_set.stack_name, rendered_files(stack_set, args.format), keep=[args.file]
        )
        for stack_set in stack_sets
    ]
    for drift in drifts:
        if drift.in_sync:
            print(f"in sync  {drift.folder} ({len(drift.expected)} files)")
        for state, names in (("differs", drift.differ), ("missing", drift.missing), ("extra", drift.extra)):
            for name in names:
                print(f"{state:<8} {drift.folder / name}")
    out_of_sync = sum(len(d.differ) + len(d.missing) + len(d.extra) for d in drifts)
    if not out_of_sync:
        return 0
    print(
        f"error: {out_of_sync} file(s) out of sync with {args.file}; `{regenerate_command(args)}` "
        "rewrites them (render replaces and removes only files it wrote that nobody edited since)",
        file=sys.stderr,
    )
    return 1


def regenerate_command(args: argparse.Namespace) -> str:
    """The ``fgc render`` that writes what ``--check`` compared with (options left at defaults omitted)."""
    words = ["fgc render"]
    for flag, value, default in (
        ("-f", args.file, "fargate.yaml"),
        ("--env", args.env, None),
        ("-o", args.output, "templates_out"),
        ("--format", args.format, "json"),
    ):
        if value != default:
            words += [flag, shlex.quote(str(value))]
    return " ".join(words)


def report_findings(findings: Sequence[Finding] | None, fmt: str, written_to: Path | None) -> int:
    """Print the lint findings, one a line; 1 when one is an error (the templates are not deployable)."""
    if not findings:
        return 0
    for finding in findings:
        suffix = "" if finding.level == "error" else f" ({finding.level})"
        print(f"{finding}{suffix}")
    if fmt == "yaml":
        print("note: line numbers refer to the JSON form (fgc render --format json)")
    if errors := sum(f.level == "error" for f in findings):
        where = f"; templates written to {written_to} for inspection" if written_to else ""
        print(f"error: cfn-lint found {errors} error(s){where}", file=sys.stderr)
        return 1
    return 0


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
