"""``fgc destroy``: delete the stack set, keeping registries, log groups and anything retained."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from fgc.commands._target import add_aws, add_env

if TYPE_CHECKING:
    from fgc.commands._view import View
    from fgc.deployer.destroy import Destroyed
    from fgc.deployer.session import Aws
    from fgc.spec.models import Spec

DESCRIPTION = (
    "List what deleting the environment's stack set removes and what it keeps (resources with "
    "DeletionPolicy Retain: log groups), ask (--yes skips the question; without a terminal it is "
    "required), delete and wait. The application's registries stack (<app>-registries) is never "
    "touched. --purge also deletes the environment's retained log groups, found by their names, even "
    "when the stack is gone or ended in ROLLBACK_COMPLETE.\n\n"
    "--registries deletes the registries stack and its repositories, images included (a data "
    "deletion: it asks first), and refuses while any environment of the application is deployed."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_env(parser)
    add_aws(parser)
    parser.add_argument("--yes", "-y", action="store_true", help="do not ask before deleting")
    parser.add_argument(
        "--purge", action="store_true", help="also delete the environment's retained log groups"
    )
    parser.add_argument(
        "--registries",
        action="store_true",
        help="delete the application's registries stack and its repositories with every image",
    )


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.commands._target import open_target
    from fgc.commands._view import View

    document = spec.load(args.file, env=args.env)
    view = View()
    with open_target(args, document.region) as target:
        if target.emulator is not None:  # a fresh emulator holds nothing: rehearse the whole cycle
            from fgc.deployer.build import build
            from fgc.deployer.release import release

            view.note("--local: deploying into a fresh emulator first, so there is something to destroy")
            release(build(args.file, args.env, region=args.region), target.aws, stand_in=True)
        if args.registries:
            return _registries(args, document, target.aws, view)
        return _environment(args, document, target.aws, view)


def _environment(args: argparse.Namespace, document: Spec, aws: Aws, view: View) -> int:
    from fgc.commands._view import Progress
    from fgc.compiler import compile
    from fgc.deployer.destroy import destroy, gone, leftovers, purge, teardown

    stack_set = compile(document)  # names the nested stacks as plans and `fgc render` do
    if gone(aws, stack_set.stack_name):  # deleted, or never there: what it kept may remain
        if not args.purge:
            teardown(aws, stack_set.stack_name)  # raises: the stack does not exist
        found = leftovers(aws, stack_set)
        if not found:
            view.line(f"{stack_set.stack_name} does not exist, and nothing it kept is left: nothing to do.")
            return 0
        view.line(f"{stack_set.stack_name} does not exist; what it kept, found by name, to purge:", "bold")
        view.rows([[r.stack, r.logical_id, r.resource_type, r.physical_id] for r in found])
        if not _confirmed(args, view, f"Delete these {len(found)} retained resource(s)?"):
            return 1
        _report(view, purge(aws, found))
        return 0
    plan = teardown(aws, stack_set.stack_name, stack_set.labels)
    if args.purge:
        kept = {r.physical_id for r in plan.kept}
        plan.kept += [r for r in leftovers(aws, stack_set) if r.physical_id not in kept]
    view.line(f"Deleting {plan.state.name} ({plan.state.status}):", "bold")
    view.rows([[r.stack, r.logical_id, r.resource_type] for r in plan.deleted])
    if plan.kept:
        view.line("Kept (DeletionPolicy Retain)" + (", then purged:" if args.purge else ":"), "bold")
        view.rows([[r.stack, r.logical_id, r.resource_type, r.physical_id] for r in plan.kept])
    if not _confirmed(args, view, f"Delete {plan.state.name}?"):
        return 1
    progress = Progress(view)
    progress.expect(plan.state.name, len(plan.deleted) + len(plan.kept))
    try:
        done = destroy(aws, plan, purge=args.purge, on_event=progress, notice=view.note)
    finally:
        progress.stop()
    view.line(f"{plan.state.name} deleted.", "green")
    _report(view, done)
    if plan.kept and not args.purge:
        view.line(f"  kept {len(plan.kept)} retained resource(s); `fgc destroy --purge` deletes them too")
    view.line(f"  the registries stack {document.registries_stack_name} is kept (`fgc destroy --registries`)")
    return 0


def _registries(args: argparse.Namespace, document: Spec, aws: Aws, view: View) -> int:
    from fgc.commands._view import Progress
    from fgc.compiler import compile_registries
    from fgc.deployer.destroy import deployed, destroy, leftovers, purge, teardown
    from fgc.deployer.errors import DeployFailed
    from fgc.spec.errors import UsageError

    stack_set = compile_registries(document)
    if stack_set is None:
        raise UsageError(f"{args.file} declares no registries")
    environments = [document.app, *(f"{document.app}-{name}" for name in document.environments)]
    users = deployed(aws, environments)
    if users:
        names = ", ".join(state.name for state in users)
        raise DeployFailed(
            f"not deleting {stack_set.stack_name}: environments of {document.app} still use it ({names})",
            "destroy them first (`fgc destroy --env NAME`), then delete the registries",
        )
    if not deployed(aws, [stack_set.stack_name]):
        found = leftovers(aws, stack_set)
        if not found:
            view.line(
                f"{stack_set.stack_name} does not exist, and no repository of it is left: nothing to do."
            )
            return 0
        view.line(
            f"{stack_set.stack_name} does not exist; its repositories, images included, to delete:", "bold"
        )
        view.rows([[r.logical_id, r.resource_type, r.physical_id] for r in found])
        if not _confirmed(args, view, f"Delete these {len(found)} repositories and every image in them?"):
            return 1
        _report(view, purge(aws, found))
        return 0
    plan = teardown(aws, stack_set.stack_name)
    view.line(f"Deleting {plan.state.name} and its repositories, images included:", "bold")
    view.rows([[r.logical_id, r.resource_type, r.physical_id] for r in plan.kept + plan.deleted])
    if not _confirmed(args, view, f"Delete {plan.state.name} and every image in its repositories?"):
        return 1
    progress = Progress(view)
    progress.expect(plan.state.name, len(plan.deleted) + len(plan.kept))
    try:
        done = destroy(aws, plan, purge=True, on_event=progress, notice=view.note)
    finally:
        progress.stop()
    view.line(f"{plan.state.name} deleted.", "green")
    _report(view, done)
    return 0


def _confirmed(args: argparse.Namespace, view: View, question: str) -> bool:
    """--yes, or a terminal's yes; without a terminal, a usage error (nothing is deleted)."""
    from fgc.commands._target import interactive
    from fgc.spec.errors import UsageError

    if args.yes:
        return True
    if not interactive():
        raise UsageError(
            "not deleting: there is no terminal to confirm on", "pass --yes to delete without asking"
        )
    if view.ask(question):
        return True
    view.line("Nothing deleted.")
    return False


def _report(view: View, done: Destroyed) -> None:
    for res in done.purged:
        view.line(f"  purged {res.resource_type} {res.physical_id}")
    for res in done.left:
        view.line(f"  kept {res.resource_type} {res.physical_id} (fgc does not purge this type)")
