"""``fgc destroy``: delete the stack set, keeping registries, log groups and anything retained."""

from __future__ import annotations

import argparse

from fgc.commands._target import add_aws, add_env

DESCRIPTION = (
    "List what deleting the stack set removes and what it keeps (resources with DeletionPolicy "
    "Retain: ECR registries, log groups), ask (--yes skips the question; without a terminal it is "
    "required), delete and wait. --purge also deletes the kept registries and log groups."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    add_aws(parser)
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before deleting")
    parser.add_argument(
        "--purge", action="store_true", help="also delete the retained registries and log groups"
    )


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.commands._target import interactive, open_target
    from fgc.commands._view import Progress, View
    from fgc.compiler import compile
    from fgc.deployer.destroy import destroy, teardown
    from fgc.spec.errors import UsageError

    document = spec.load(args.file, env=args.env)
    stack_set = compile(document)  # names the nested stacks as plans and `fgc render` do
    view = View()
    with open_target(args, document.region) as target:
        if target.emulator is not None:  # a fresh emulator holds nothing: rehearse the whole cycle
            from fgc import deployer
            from fgc.deployer.build import build

            view.note("--local: deploying into a fresh emulator first, so there is something to destroy")
            deployer.deploy(build(args.file, args.env, region=args.region).templates, target.aws)
        plan = teardown(target.aws, stack_set.stack_name, stack_set.labels)
        view.line(f"Deleting {plan.state.name} ({plan.state.status}):", "bold")
        view.rows([[r.stack, r.logical_id, r.resource_type] for r in plan.deleted])
        if plan.kept:
            view.line("Kept (DeletionPolicy Retain)" + (", then purged:" if args.purge else ":"), "bold")
            view.rows([[r.stack, r.logical_id, r.resource_type, r.physical_id] for r in plan.kept])
        if not args.yes:
            if not interactive():
                raise UsageError(
                    "not deleting: there is no terminal to confirm on", "pass --yes to delete without asking"
                )
            if not view.ask(f"Delete {plan.state.name}?"):
                view.line("Nothing deleted.")
                return 1
        progress = Progress(view)
        try:
            done = destroy(target.aws, plan, purge=args.purge, on_event=progress, notice=view.note)
        finally:
            progress.stop()
        view.line(f"{plan.state.name} deleted.", "green")
        for res in done.purged:
            view.line(f"  purged {res.resource_type} {res.physical_id}")
        for res in done.left:
            view.line(f"  kept {res.resource_type} {res.physical_id} (fgc does not purge this type)")
        if plan.kept and not args.purge:
            view.line(f"  kept {len(plan.kept)} retained resource(s); `fgc destroy --purge` deletes them too")
    return 0
