"""Entry point of the ``fgc`` console script: argument parsing and exit codes.

The CLI holds no logic of its own: each sub-command module turns arguments into
calls on spec/, compiler/ and deployer/ and prints what they return.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from fgc.startup import collect_garbage_rarely, skip_pydantic_plugin_scan

skip_pydantic_plugin_scan()  # before anything imports pydantic
collect_garbage_rarely()

from fgc import __version__  # noqa: E402
from fgc.commands import COMMANDS  # noqa: E402
from spec.errors import FgcError  # noqa: E402

EXIT_CODES = """exit status:
  0  success (or nothing to change)
  1  deploy failed, or the templates have lint errors
  2  invalid fargate.yaml or arguments
  3  AWS refused (credentials, permissions, limits)
"""


def build_parser() -> argparse.ArgumentParser:
    """The whole argument tree; sub-command modules add their own options."""
    parser = argparse.ArgumentParser(
        prog="fgc",
        description="Turn one fargate.yaml into an ECS Fargate application on AWS.",
        epilog=EXIT_CODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"fgc {__version__}")
    file_help = "the spec to read (default: fargate.yaml)"
    parser.add_argument("-f", "--file", default="fargate.yaml", metavar="FILE", help=file_help)
    # Also after the sub-command (`fgc validate -f x.yaml`); SUPPRESS keeps `fgc -f x.yaml validate`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-f", "--file", default=argparse.SUPPRESS, metavar="FILE", help=file_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"fgc.commands.{name}")
        command = sub.add_parser(
            name,
            parents=[common],
            help=module.HELP,
            description=getattr(module, "DESCRIPTION", module.HELP),
            epilog=EXIT_CODES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(command)
        command.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse, dispatch, and turn an :class:`FgcError` into its message and exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except FgcError as err:
        print(f"error: {err}" if not hasattr(err, "problems") else str(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
