"""``fgc schema``: the JSON Schema of fargate.yaml, for editors (yaml-language-server)."""

from __future__ import annotations

import argparse

DESCRIPTION = (
    "Print the JSON Schema of fargate.yaml. Save it and point your editor at it, e.g. with\n"
    "  fgc schema > fargate.schema.json\n"
    "and the first line of fargate.yaml:  # yaml-language-server: $schema=./fargate.schema.json"
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")


def run(args: argparse.Namespace) -> int:
    from fgc.spec.schema import schema_text

    text = schema_text()
    if args.output:
        from fgc.commands._files import write_file

        write_file(args.output, text, option="-o/--output")
    else:
        print(text, end="")
    return 0
