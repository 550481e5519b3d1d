"""Entry point of the ``fgc`` console script: argument parsing and exit codes.

The CLI holds no logic of its own: each sub-command module turns arguments into
calls on spec/, compiler/ and deployer/ and prints what they return.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import os
import sys

from fgc.startup import collect_garbage_rarely, skip_pydantic_plugin_scan

skip_pydantic_plugin_scan()  # before anything imports pydantic
collect_garbage_rarely()

from fgc import __version__  # noqa: E402
from fgc.commands import COMMANDS  # noqa: E402
from fgc.spec.errors import FgcError  # noqa: E402

EXIT_CODES = """exit status:
  0    success (or nothing to change)
  1    deploy failed, or the templates have lint errors
  2    invalid fargate.yaml or arguments
  3    AWS refused (credentials, permissions, limits), or its endpoint cannot be reached
  141  standard output was closed before fgc finished writing (`fgc status | head -3`)
"""

#: Exit status when standard output goes away early: 128 + SIGPIPE, as a shell reports a
#: program that a closed pipe stopped (`yes | head`).
EXIT_OUTPUT_CLOSED = 141


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's formatter, reading the terminal width without importing shutil.

    argparse makes a formatter for every option it adds, and each one imports
    ``shutil`` (with bz2, lzma and zlib) for ``shutil.get_terminal_size``: about 3 ms
    of every start, for a width that only ``--help`` uses. This reads the same
    sources in the same order: ``$COLUMNS``, then the terminal on stdout, else 80.
    """

    def __init__(
        self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None
    ):
        super().__init__(prog, indent_increment, max_help_position, width or terminal_columns() - 2)


def terminal_columns() -> int:
    """Columns of the terminal as ``shutil.get_terminal_size`` finds them (80 when unknown)."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.__stdout__ is None:  # no standard output at all (a detached process)
        return 80
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument tree for running `command`; sub-command modules add their own options.

    Only `command`'s module is imported and only its parser is built: a run needs no
    other, and building all ten cost about a tenth of ``fgc validate``'s own time.
    Without a known `command` (``fgc``, ``fgc --help``, a typo), every sub-command is
    listed, without options, for the help text and the "invalid choice" error.
    """
    parser = argparse.ArgumentParser(
        prog="fgc",
        description="Turn one fargate.yaml into an ECS Fargate application on AWS.",
        epilog=EXIT_CODES,
        formatter_class=HelpFormatter,
        allow_abbrev=False,  # `--fi x` would hide the sub-command from `command_in`
    )
    parser.add_argument("--version", action="version", version=f"fgc {__version__}")
    file_help = "the spec to read (default: fargate.yaml)"
    parser.add_argument("-f", "--file", default="fargate.yaml", metavar="FILE", help=file_help)
    # Also after the sub-command (`fgc validate -f x.yaml`); SUPPRESS keeps `fgc -f x.yaml validate`.
    common = argparse.ArgumentParser(add_help=False, formatter_class=HelpFormatter)
    common.add_argument("-f", "--file", default=argparse.SUPPRESS, metavar="FILE", help=file_help)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    if command not in COMMANDS:
        for name, line in COMMANDS.items():
            sub.add_parser(name, help=line, formatter_class=HelpFormatter)
        return parser
    module = importlib.import_module(f"fgc.commands.{command}")
    line = COMMANDS[command]
    parser_of_command = sub.add_parser(
        command,
        parents=[common],
        help=line,
        description=getattr(module, "DESCRIPTION", line),
        epilog=EXIT_CODES,
        formatter_class=HelpFormatter,
    )
    module.add_arguments(parser_of_command)
    parser_of_command.set_defaults(run=module.run)
    return parser


def command_in(argv: list[str]) -> str | None:
    """The sub-command `argv` names, found as argparse will find it: the first argument
    that is neither an option nor the value of ``-f``/``--file``."""
    values = iter(argv)
    for arg in values:
        if arg in ("-f", "--file"):
            next(values, None)
        elif arg == "--":
            return next(values, None)
        elif not arg.startswith("-"):
            return arg
    return None


def main(argv: list[str] | None = None) -> int:
    """Parse, dispatch, and turn an :class:`FgcError` into its message and exit status.

    A reader that quits early (``fgc diff | head -1``) closes standard output: the
    command stops where it was, quietly, as ``cat`` or ``git log`` would, with status
    141. Before a deploy is confirmed that means nothing is executed (the plan's
    change set is discarded as for any refusal).
    """
    try:
        return _dispatch(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        from fgc.commands._output import silence_stdout

        silence_stdout()
        return EXIT_OUTPUT_CLOSED


def _dispatch(argv: list[str]) -> int:
    """Parse `argv`, run its sub-command, and turn an :class:`FgcError` into its message and status."""
    parser = build_parser(command_in(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return args.run(args)
    except FgcError as err:
        from fgc.commands._hints import with_hint

        with_hint(err, args.command)
        print(f"error: {err}" if not hasattr(err, "problems") else str(err), file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def console() -> int:
    """The ``fgc`` command: :func:`main`, then an exit that skips the interpreter's teardown.

    On a normal exit the interpreter frees its objects one by one and tears its
    modules down: 48 M instructions, 7% of ``fgc validate``, spent on memory the
    system takes back at once. The handler registered here, before any other, runs
    last (atexit calls handlers in reverse order): after the threads have been
    joined and the other handlers (the lint warm-up's stop, logging's flush) have
    run, it flushes the standard streams and ends the process with main's status.
    When main raises instead, the status is unknown and the usual exit proceeds.
    """
    status: list[int] = []
    atexit.register(_exit_now, status)
    if sys.stdout is None:  # started with standard output closed (`fgc schema >&-`)
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115  # lives as long as the process
    status.append(main())
    return status[0]


def _exit_now(status: list[int]) -> None:
    if not status:
        return
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe (`fgc schema | head`)
            stream.flush()
    os._exit(status[0])


if __name__ == "__main__":
    sys.exit(console())
