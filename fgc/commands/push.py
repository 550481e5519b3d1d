"""``fgc push [SERVICE...]``: build the images fargate.yaml builds from source and push them to ECR."""

from __future__ import annotations

import argparse

from fgc.commands._images import add_image_options
from fgc.commands._target import add_aws, add_env

DESCRIPTION = (
    "Bring the application's registries stack (<app>-registries) up to date (its plan is shown and "
    "confirmed like a deploy's), then build and push the main image of each service with build: (all, "
    "or the SERVICEs named) unless its tag is already in the repository. Without such an image the "
    "registries stack is still brought up to date, so its repositories exist for an image pushed "
    "outside fgc (docker push). ECR login uses "
    "GetAuthorizationToken with the password on the builder's stdin. The environment's stacks are not "
    "touched: `fgc deploy` does that (and pushes too)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("services", nargs="*", metavar="SERVICE", help="services to push (default: all)")
    add_env(parser)
    add_aws(parser)
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before updating the registries")
    add_image_options(parser)


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.commands._images import BuildOutput, chosen_builder
    from fgc.commands._target import interactive, open_target
    from fgc.commands._view import Progress, View
    from fgc.compiler import compile_registries
    from fgc.compiler.builds import service_images
    from fgc.deployer import Plan, deploy
    from fgc.deployer.release import publish_images
    from fgc.spec.errors import UsageError

    document = spec.load(args.file, env=args.env)
    images = service_images(document, args.services, platform=args.platform)
    view = View()
    registries = compile_registries(document)
    if registries is None:  # an image with build: names a registry of the spec
        view.line("Nothing to push: fargate.yaml declares no registries.")
        return 0
    builder = chosen_builder(args) if images else None

    def confirm(plan: Plan) -> bool:
        view.plan(plan)
        if args.yes:
            return True
        if not interactive():
            raise UsageError("not updating the registries: no terminal to confirm on", "pass --yes")
        return view.ask(f"Deploy these {plan.change_count} changes?")

    with open_target(args, document.region) as target:
        progress = Progress(view)
        try:
            result = deploy(registries, target.aws, confirm=confirm, on_event=progress, notice=view.note)
        finally:
            progress.stop()
        if not result.executed and not result.plan.is_empty:
            view.line("Not pushed: the registries stack was left as it was.")
            return 1
        if not images:
            # the repositories exist now: what fgc does not build is pushed to them outside fgc
            view.line(
                "Nothing to build: no service of fargate.yaml has image.build; the repositories are ready."
            )
            return 0
        output = BuildOutput(view)
        try:
            publish_images(
                target.aws,
                images,
                result.outputs,
                builder=builder,
                on_line=output,
                on_image=output.done,
            )
        finally:
            output.fold()
    return 0
