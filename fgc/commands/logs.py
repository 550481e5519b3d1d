"""``fgc logs SERVICE``: the service's log streams, interleaved in time order."""

from __future__ import annotations

import argparse

from fgc.commands._target import add_aws, add_env


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("service", metavar="SERVICE", help="service name from the spec's `services`")
    add_env(parser)
    add_aws(parser, local=False)
    parser.add_argument(
        "--since", default="10m", metavar="AGE", help="start this long ago: 30s, 10m, 2h (default 10m)"
    )
    parser.add_argument("--follow", action="store_true", help="keep printing new events until Ctrl-C")


def run(args: argparse.Namespace) -> int:
    import sys
    import time

    from fgc import spec
    from fgc.commands._target import open_target, seconds
    from fgc.deployer.logs import log_group, read
    from fgc.deployer.polling import default_poll

    document = spec.load(args.file, env=args.env)
    since = time.time() - seconds("--since", args.since)
    with open_target(args, document.region) as target:
        stack_name = document.stack_name
        group = log_group(target.aws, stack_name, args.service, document.services)
        if args.follow:
            print(f"following {group} from {args.since} ago; Ctrl-C stops", file=sys.stderr, flush=True)
        printed = 0
        try:
            for line in read(target.aws, group, since, default_poll(), follow=args.follow):
                printed += 1
                print(
                    f"{line.timestamp:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z  {line.stream}  {line.message}",
                    flush=True,
                )
        except KeyboardInterrupt:
            return 0
    if not printed:  # silence would look like a hang or a bug
        print(f"no log events in {group} in the last {args.since}", file=sys.stderr)
    return 0
