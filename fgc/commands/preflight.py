"""``fgc preflight``: only the read-only checks that ``fgc deploy`` makes before its change set."""

from __future__ import annotations

import argparse

from fgc.commands._target import add_aws, add_env

DESCRIPTION = (
    "Check, read-only and concurrently, what the spec reads from outside its stacks: images not built "
    "by fgc are in ECR with their tag, secrets (and their JSON keys) and parameters exist, the "
    "certificate is issued and covers the domain, the hosted zone holds it, an existing VPC's private "
    "subnets have free addresses for a rollout at max. A check the caller may not make is shown as "
    "skipped. Each line names its check's stable ID (P101 ...; docs/preflight.md). Exit 1 when a "
    "check fails. --output json prints the same checks as JSON on stdout."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    add_aws(parser, local=False)
    parser.add_argument(
        "--output", choices=("text", "json"), default="text", help="checklist format (default: text)"
    )


def run(args: argparse.Namespace) -> int:
    import json

    from fgc import spec
    from fgc.commands._preflight import as_json, run_checks
    from fgc.commands._target import open_target

    document = spec.load(args.file, env=args.env)
    with open_target(args, document.region) as target:
        report = run_checks(document, target, args.output)
    if args.output == "json":
        print(json.dumps(as_json(report), indent=2))
        return 1 if report.failed else 0
    print(f"preflight: {len(report.checks)} checks, {report.calls} calls, {report.seconds:.2f}s")
    return 0
