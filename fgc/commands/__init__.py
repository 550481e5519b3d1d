"""One module per sub-command.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules import their heavy dependencies inside ``run`` so
that ``fgc validate`` never pays for boto3, troposphere or cfn-lint.
"""

#: Sub-commands in the order ``fgc --help`` lists them.
COMMANDS = (
    "init",
    "validate",
    "schema",
    "render",
    "diff",
    "deploy",
    "status",
    "logs",
    "destroy",
    "emulator",
)
