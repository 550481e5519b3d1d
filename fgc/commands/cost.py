"""``fgc cost``: the monthly estimate of the compiled stack set, printed line by line."""

from __future__ import annotations

import argparse
import os

from fgc.commands._target import add_env

DESCRIPTION = (
    "Compile fargate.yaml and estimate what its resources cost per month (730 hours), line by line "
    "as quantity x unit price = amount: Fargate vCPU- and GB-hours (x86 or ARM, on-demand and Spot "
    "shares from the capacity weights), the load balancer, public IPv4 addresses, NAT gateways, VPC "
    "endpoints, CloudWatch Logs, Container Insights, Cloud Map, Route 53 and ECR. Scaling gives a "
    "range (min..max tasks, scheduled windows counted for their hours). Prices come from a table in "
    "fgc with the source and date of each figure; a figure not in it is shown as unknown, never "
    "guessed. Traffic, log volume and image size are assumptions, printed with the flag that changes them."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from fgc.compiler.cost import Assumptions

    add_env(parser)
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="region to price (default: the spec's, then AWS_REGION, then us-east-1)",
    )
    parser.add_argument(
        "--output", choices=("text", "json"), default="text", help="estimate format (default: text)"
    )
    defaults = Assumptions()
    for name, (meaning, flag) in Assumptions.MEANING.items():
        if flag.startswith("--"):
            kind = int if isinstance(getattr(defaults, name), int) else float
            parser.add_argument(
                flag,
                dest=name,
                type=kind,
                default=getattr(defaults, name),
                metavar="N",
                help=f"{meaning} (default: {getattr(defaults, name)})",
            )


def run(args: argparse.Namespace) -> int:
    import json

    from fgc import spec
    from fgc.compiler import compile as compile_templates
    from fgc.compiler import compile_registries, cost
    from fgc.compiler.prices import UnknownRegion
    from fgc.spec.errors import UsageError

    document = spec.load(args.file, env=args.env)
    region = args.region or document.region or os.environ.get("AWS_REGION") or "us-east-1"
    values = {
        name: getattr(args, name)
        for name, (_, flag) in cost.Assumptions.MEANING.items()
        if flag.startswith("--")
    }
    for name, value in values.items():
        if value < 0:
            raise UsageError(f"{cost.Assumptions.MEANING[name][1]} must not be negative (got {value})")
    try:
        result = cost.estimate(
            compile_templates(document), region, cost.Assumptions(**values), compile_registries(document)
        )
    except UnknownRegion as err:
        raise UsageError(
            str(err), "pass --region with a priced region, or add the region to compiler/prices.json"
        ) from None
    if args.output == "json":
        print(json.dumps(cost.to_json(result), indent=2))
    else:
        print("\n".join(cost.render_text(result)))
    return 0
