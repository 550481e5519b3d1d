"""``fgc diff``: what a deploy would change, from a real change set (deleted afterwards, or kept in
a saved plan with ``--out``)."""

from __future__ import annotations

import argparse

from fgc.commands._plan_output import add_output
from fgc.commands._preflight import add_no_preflight
from fgc.commands._target import add_aws, add_env

DESCRIPTION = (
    "Compile and lint fargate.yaml, create a change set for the application's registries stack "
    "(<app>-registries) and one for the environment's stack set (nested stacks included), "
    "print each resource that would be added, modified (and whether it is replaced) or removed, and "
    "each root parameter change (image tags), then delete the change set. Nothing is executed. "
    "Above each plan: the risks (replacements users feel, resources a removal leaves behind), what "
    "it allows that the deployed stacks did not (IAM, security groups), and whether each service "
    "starts a new ECS deployment; under it, the monthly cost change.\n\n"
    "Saved plans: --out FILE keeps the change sets and writes a plan file (stacks, change set ids, "
    "template hashes, parameters, when); `fgc deploy --plan FILE` executes exactly those change sets, "
    "or refuses (exit 1) when anything moved since; --discard FILE deletes them.\n\n"
    "--drift runs CloudFormation's drift detection on every stack (root and nested, and the registries "
    "stack) and prints each resource changed outside fgc, property by property (expected -> actual); "
    "--exit-code then exits 1 when anything drifted."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    add_aws(parser)
    add_no_preflight(parser)
    add_output(parser, "plan")
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when there are changes (0 when none)"
    )
    parser.add_argument("--bucket", metavar="NAME", help="artifacts bucket (default: fgc-<account>-<region>)")
    saved = parser.add_mutually_exclusive_group()
    saved.add_argument(
        "--out", metavar="FILE", help="keep the change sets and write the plan to FILE, for fgc deploy --plan"
    )
    saved.add_argument(
        "--drift",
        action="store_true",
        help="instead of a plan: what was changed outside fgc (drift detection on every stack), "
        "expected -> actual",
    )
    saved.add_argument(
        "--discard", metavar="FILE", help="delete the change sets of the saved plan FILE (nothing else)"
    )


def run(args: argparse.Namespace) -> int:
    if args.discard:
        from fgc.commands._saved_plan import discard

        return discard(args)
    if args.drift:
        from fgc.commands._drift import show_drift

        return show_drift(args)
    from fgc.compiler.pipeline import warmed_linter

    linter = warmed_linter(args.file, args.env, args.region)
    from fgc.commands._plan_output import print_document
    from fgc.commands._preflight import run_checks
    from fgc.commands._saved_plan import refuse_local, save
    from fgc.commands._target import open_target
    from fgc.commands._view import View
    from fgc.deployer.build import build
    from fgc.deployer.release import plan_release
    from fgc.deployer.review import review

    if args.out:
        refuse_local(args, "--out")
    built = build(args.file, args.env, region=args.region, linter=linter)
    with open_target(args, built.spec.region, built.spec) as target:
        if not args.no_preflight:
            run_checks(built.spec, target)
        if args.out:
            plans = save(args, built, target.aws)
        else:
            plans = plan_release(built, target.aws, bucket=args.bucket)
        stack_sets = [s for s in (built.registries, built.templates) if s is not None]
        reviewed = [
            (plan, review(target.aws, plan, stack_set, priced=stack_set is built.templates), None)
            for plan, stack_set in zip(plans, stack_sets, strict=True)
        ]
    if args.output == "text":
        view = View()
        for plan, the_review, _ in reviewed:
            view.plan(plan, the_review)
    else:
        print_document(args.output, reviewed)
    return 1 if args.exit_code and not all(plan.is_empty for plan in plans) else 0
