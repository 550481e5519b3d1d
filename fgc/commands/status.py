"""``fgc status``: the stack set, its services (by their names in the spec, with image and task
definition revision; for blue/green, canary and linear ones, where ECS sends production traffic and
its deployment still running), outputs and the latest events of every stack, as text or JSON."""

from __future__ import annotations

import argparse

from fgc.commands._target import add_aws, add_env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    add_aws(parser, local=False)
    parser.add_argument(
        "--events", type=int, default=10, metavar="N", help="how many recent events (default 10)"
    )
    parser.add_argument(
        "--output",
        choices=("text", "json"),
        default="text",
        help="status format (default: text); json includes the diagnosis of unstable services",
    )


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.commands._diagnosis import for_stack, show
    from fgc.commands._target import open_target
    from fgc.commands._view import View
    from fgc.compiler import compile
    from fgc.deployer.status import status

    document = spec.load(args.file, env=args.env)
    stack_set = compile(document)  # names the nested stacks as plans and `fgc render` do
    with open_target(args, document.region) as target:
        found = status(target.aws, stack_set.stack_name, args.events, stack_set.labels)
        diagnoses = for_stack(target.aws, stack_set.stack_name, stack_set.labels)
    view = View()
    if args.output == "json":
        view.status_json(found, diagnoses)
    else:
        view.status(found)
        show(diagnoses)
    return 0
