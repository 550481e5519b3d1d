"""``fgc deploy``: plan, confirm, execute, follow, and show the outputs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from fgc.commands._images import add_image_options
from fgc.commands._plan_output import add_output
from fgc.commands._preflight import add_no_preflight
from fgc.commands._target import add_aws, add_env

if TYPE_CHECKING:
    from fgc.deployer.review import Review

DESCRIPTION = (
    "Deploy the application's registries stack (<app>-registries, shared by every environment) when it "
    "changes, build and push each image with build: whose tag its repository lacks (a tag already there "
    "is neither built nor pushed), then compile and lint fargate.yaml, upload the nested templates, "
    "create a change set, show the plan "
    "and ask before executing it (--yes skips the question; without a terminal it is required). "
    "Progress of every nested stack is shown until CloudFormation finishes; on failure the resource "
    "that caused it is named. An empty plan prints 'No changes' and exits 0.\n\n"
    "Stuck stacks: a stack left in ROLLBACK_COMPLETE by a failed first create is deleted and created "
    "again (after a question, or with --yes); UPDATE_ROLLBACK_FAILED needs --continue-rollback; an "
    "operation already running, or an ECS deployment still shifting a service's traffic or baking, is "
    "waited for (--no-wait refuses instead). The live weights of each blue/green, canary or linear "
    "service's production rule are passed on, so traffic stays where ECS put it.\n\n"
    "No container builder: a real deploy refuses (exit 2); a --local rehearsal says so and puts an "
    "empty stand-in image into the emulator's ECR under the content tag.\n\n"
    "--plan FILE executes the change sets `fgc diff --out FILE` kept, after checking that they are still "
    "there and available, that no stack moved since, and that fargate.yaml still compiles to the same "
    "templates and parameters (image tags included); otherwise it names what changed, executes nothing "
    "and exits 1.\n\n"
    "--revert-drift makes the change sets drift-aware (CreateChangeSet DeploymentMode REVERT_DRIFT): "
    "properties changed outside fgc (see fgc diff --drift) are part of the plan and put back to the "
    "template's values. A boto3 too old to send DeploymentMode is refused (exit 2)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    add_aws(parser)
    add_no_preflight(parser)
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before executing the plan")
    parser.add_argument(
        "--no-wait",
        action="store_true",
        help="fail instead of waiting when the stack is busy with an operation or ECS with a deployment",
    )
    parser.add_argument(
        "--continue-rollback",
        action="store_true",
        help="resume a rollback that failed (UPDATE_ROLLBACK_FAILED), then deploy",
    )
    parser.add_argument(
        "--wait-stable", action="store_true", help="also wait until every ECS service runs its desired count"
    )
    parser.add_argument(
        "--stable-timeout",
        default="30m",
        metavar="TIME",
        help="with --wait-stable: give up (exit 1) after this long, e.g. 90s, 10m (default 30m)",
    )
    parser.add_argument("--bucket", metavar="NAME", help="artifacts bucket (default: fgc-<account>-<region>)")
    parser.add_argument(
        "--plan",
        metavar="FILE",
        help="execute the saved plan FILE (fgc diff --out) exactly, or refuse (exit 1) when anything moved",
    )
    parser.add_argument(
        "--revert-drift",
        action="store_true",
        help="a drift-aware change set (REVERT_DRIFT): also put back what was changed outside fgc",
    )
    add_image_options(parser)
    add_output(parser, "plan and result")


def run(args: argparse.Namespace) -> int:
    from fgc.compiler.pipeline import warmed_linter

    linter = warmed_linter(args.file, args.env, args.region)
    from fgc import deployer
    from fgc.commands._diagnosis import diagnose_failure, for_stack, show
    from fgc.commands._hints import with_hint
    from fgc.commands._images import BuildOutput, chosen_builder, describe
    from fgc.commands._plan_output import print_document
    from fgc.commands._preflight import run_checks
    from fgc.commands._target import interactive, open_target, seconds
    from fgc.commands._view import Progress, View, changed_resources
    from fgc.deployer.build import build
    from fgc.deployer.errors import DeployFailed
    from fgc.deployer.polling import default_poll
    from fgc.deployer.release import release
    from fgc.deployer.review import review
    from fgc.deployer.services import stack_services, wait_stable
    from fgc.deployer.stacks import StackState, stuck
    from fgc.spec.errors import UsageError

    timeout = seconds("--stable-timeout", args.stable_timeout)
    saved = None
    if args.plan and args.revert_drift:
        raise UsageError(
            "--plan and --revert-drift cannot be combined: a saved plan runs as it was made",
            "deploy with --revert-drift alone (fgc diff --drift shows what it puts back)",
        )
    if args.plan:
        from fgc.commands._saved_plan import refuse_local
        from fgc.deployer.saved_plan import load

        refuse_local(args, "--plan")
        saved = load(args.plan)
    built = build(args.file, args.env, region=args.region, linter=linter, platform=args.platform)
    if saved is not None:
        from fgc.deployer.saved_plan import file_sha256

        if file_sha256(args.file) != saved.spec_sha256:
            print(
                f"note: {args.file} changed since the plan was made; the plan runs only if it still "
                "compiles to the same templates and parameters",
                file=sys.stderr,
            )
    builder = chosen_builder(args) if built.images else None
    # json and markdown: one document on stdout; the text plan, progress and questions on stderr
    document = args.output != "text"
    view = View(sys.stderr) if document else View()
    stack_sets = {s.stack_name: s for s in (built.registries, built.templates) if s is not None}
    reviews: dict[str, Review] = {}

    def reviewed(plan: deployer.Plan) -> Review:
        """The plan's review, made once (before it executes: it compares with what runs now)."""
        if plan.stack_name not in reviews:
            stack_set = stack_sets[plan.stack_name]
            reviews[plan.stack_name] = review(
                target.aws, plan, stack_set, priced=stack_set is built.templates
            )
        return reviews[plan.stack_name]

    def emit(results: list[Any], diagnoses: list[Any]) -> None:
        """The json or markdown document of the deploy: each plan with its review and result (none
        when the deploy failed before it had a plan: the error on stderr says why)."""
        done = [(r.plan, reviewed(r.plan), r) for r in results if r is not None]
        if done:
            print_document(args.output, done, diagnoses)

    for warning in built.warnings:
        view.line(f"lint: {warning} ({warning.level})", "yellow")

    def confirm(plan: deployer.Plan) -> bool:
        view.plan(plan, reviewed(plan))  # `target`: the session opened below
        progress.expect(plan.stack_name, changed_resources(plan))
        if args.yes:
            return True
        if not interactive():
            raise UsageError(
                "not deploying: there is no terminal to confirm the plan on",
                "pass --yes to deploy without asking",
            )
        return view.ask(f"Deploy these {plan.change_count} changes?")

    def recreate(state: StackState) -> bool:
        if refusal := stuck(state):
            view.line(str(with_hint(refusal, "deploy")), "yellow")
        if args.yes:
            return True
        return interactive() and view.ask(f"Delete {state.name} and create it again?")

    poll = default_poll()
    with open_target(args, built.spec.region, built.spec) as target:
        if not args.no_preflight:
            run_checks(built.spec, target)
        progress = Progress(view)
        output = BuildOutput(view)
        # what a saved plan and a fresh deploy share: how they build, ask and report
        shared: dict[str, Any] = {
            "builder": builder,
            "on_line": output,
            "on_image": output.done,
            "confirm": confirm,
            "on_event": progress,
            "notice": view.note,
            "poll": poll,
        }
        try:
            if saved is not None:
                from fgc.deployer.saved_plan import release_saved

                shipped = release_saved(built, target.aws, saved, args.env, **shared)
            else:
                shipped = release(
                    built,
                    target.aws,
                    stand_in=target.emulator is not None,
                    bucket=args.bucket,
                    recreate=recreate,
                    resume_rollback=args.continue_rollback,
                    wait=not args.no_wait,
                    revert_drift=args.revert_drift,
                    **shared,
                )
        except DeployFailed as failed:
            progress.stop()
            diagnoses = [d for d in [diagnose_failure(target.aws, failed.failure)] if d]
            if document:
                emit([failed.result], diagnoses)
            else:
                show(diagnoses)
            raise
        finally:
            output.fold()
            progress.stop()
        result = shipped.app
        if result is None or (not result.executed and not result.plan.is_empty):
            view.line(
                f"Not deployed: nothing changed; the saved plan's change sets are kept ({args.plan})."
                if saved
                else "Not deployed: the change set was deleted, nothing changed."
            )
            if document:
                emit([shipped.registries, result], [])
            return 1
        if not result.executed:
            view.line(f"No changes: {result.stack_name} is up to date.")
        else:
            view.line(f"{result.stack_name}: {result.status}", "green")
        view.outputs(result.outputs)
        if args.wait_stable and result.plan.stack_id:
            view.note(f"waiting up to {args.stable_timeout} for the ECS services to run their desired count")
            try:
                stable = wait_stable(
                    target.aws, result.plan.stack_id, poll, timeout=timeout, labels=result.plan.labels
                )
            except DeployFailed:
                diagnoses = for_stack(target.aws, result.stack_name, result.plan.labels)
                if document:
                    emit([shipped.registries, result], diagnoses)
                else:
                    show(diagnoses)
                raise
            view.line(
                "stable: " + ", ".join(f"{s.stack} {s.running}/{s.desired} running" for s in stable), "green"
            )
        if target.emulator is not None:
            labels = result.plan.labels
            view.services(stack_services(target.aws, result.stack_name, labels), "The emulator now holds:")
            for image in shipped.images:
                view.line(f"  image {describe(image)}", "yellow" if image.stand_in else None)
            for stand_in in target.stand_ins:
                view.line(f"  {stand_in}: {_provide_hint(stand_in)}", "yellow")
            view.line(
                "That was a rehearsal: nothing was created in AWS and the emulator stops now, so the URLs "
                "above do not resolve. Deploy for real with `fgc deploy` once AWS credentials are set up."
            )
        if document:
            emit([shipped.registries, result], [])
    return 0


def _provide_hint(stand_in: Any) -> str:
    """How the user provides, before a real deploy, what a rehearsal stood in."""
    if stand_in.kind == "secret":
        keys = [f" --key {key}" for key in stand_in.keys] or [""]
        return "before a real deploy: " + "; ".join(f"fgc secret set {stand_in.name}{k}" for k in keys)
    if stand_in.kind == "parameter":
        return f"before a real deploy: aws ssm put-parameter --name {stand_in.name} --type SecureString"
    return "before a real deploy: push this image (docker push) or build it where a builder exists"
