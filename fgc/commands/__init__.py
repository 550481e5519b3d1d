"""One module per sub-command.

Each module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int``. Modules import what only their own command needs inside
the functions that use it: ``fgc`` imports every module to build its parser, and
``fgc validate`` must not pay for boto3, troposphere, cfn-lint, or even json.
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
