"""The CLI side of saved plans: ``fgc diff --out`` / ``--discard`` and ``fgc deploy --plan``
(the checks and the execution are :mod:`fgc.deployer.saved_plan`'s)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from fgc.spec.errors import UsageError


def refuse_local(args: argparse.Namespace, option: str) -> None:
    """A ``--local`` emulator is gone when fgc exits, and every change set with it."""
    if getattr(args, "local", False):
        raise UsageError(
            f"{option} cannot be used with --local: the emulator and its change sets are gone when fgc exits",
            "rehearse with `fgc deploy --local`, or save the plan against AWS",
        )


def save(args: argparse.Namespace, built: Any, aws: Any) -> list[Any]:
    """Plan with the change sets kept, write the plan file (whole, or not at all: the change
    sets are deleted again when it cannot be written); the plans, to show."""
    from fgc.commands._files import write_file
    from fgc.deployer.saved_plan import discard_saved
    from fgc.deployer.saved_plan import save as save_plan

    saved, plans = save_plan(built, aws, args.file, args.env, bucket=args.bucket)
    try:
        write_file(args.out, saved.to_json(), option="--out")
    except BaseException:
        discard_saved(aws, saved)
        raise
    print(
        f"Saved the plan to {args.out}: `fgc deploy --plan {args.out}` executes exactly these change sets "
        f"(refused if anything moves before); `fgc diff --discard {args.out}` deletes them.",
        file=sys.stderr,
        flush=True,
    )
    return plans


def discard(args: argparse.Namespace) -> int:
    """``fgc diff --discard FILE``: delete the saved plan's change sets."""
    from fgc.commands._target import open_target
    from fgc.commands._view import View
    from fgc.deployer.saved_plan import discard_saved, load

    refuse_local(args, "--discard")
    saved = load(args.discard)
    view = View()
    with open_target(args, saved.region) as target:
        if target.aws.region != saved.region:
            raise UsageError(f"{args.discard} is a plan for {saved.region}, not {target.aws.region}")
        deleted = discard_saved(target.aws, saved)
    for name in deleted:
        view.line(f"deleted change set {name}")
    if not deleted:
        view.line(f"{args.discard}: its change sets are gone already (executed or deleted); nothing to do")
    return 0
