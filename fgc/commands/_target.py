"""Options shared by the commands that talk to AWS, and opening the session they describe.

``--local`` swaps AWS for an in-process emulator with fake credentials, so the
same command runs as a rehearsal on a machine without an AWS account.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fgc.deployer.session import Aws

#: The emulator accepts any keys; these never leave the machine.
LOCAL_CREDENTIALS = ("testing", "testing")


def add_env(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", metavar="NAME", help="apply the environment overlay NAME from the spec")


def add_aws(parser: argparse.ArgumentParser, local: bool = True) -> None:
    """--profile, --region and (for commands that can rehearse) --local."""
    parser.add_argument(
        "--profile", metavar="NAME", help="AWS profile to use (default: boto3's usual lookup)"
    )
    parser.add_argument(
        "--region",
        metavar="REGION",
        help="AWS region (default: the spec's, then AWS_REGION, AWS_DEFAULT_REGION, the profile's)",
    )
    if local:
        parser.add_argument(
            "--local",
            action="store_true",
            help="run against an in-process AWS emulator (no AWS account needed) and show what it holds",
        )


@dataclass
class Target:
    """The session to use, the emulator behind it for ``--local``, and what that rehearsal stood in."""

    aws: Aws
    emulator: Any = None
    stand_ins: list[Any] = field(default_factory=list)


@contextmanager
def open_target(args: argparse.Namespace, spec_region: str | None, spec: Any = None) -> Iterator[Target]:
    """Connect as the arguments say; for ``--local`` start (and finally stop) an emulator.

    ``spec``: a one-shot ``--local`` rehearsal of it stands in what the user provides outside fgc
    (images when no builder exists here, secret values, parameters) and says so, naming each one;
    the emulator alone is faithful and would stop the tasks that need them."""
    from fgc.deployer import connect

    if not getattr(args, "local", False):
        aws = connect(profile=args.profile, region=args.region, spec_region=spec_region)
        aws.on_retry = say_retry
        yield Target(aws)
        return
    try:
        from fgc import emulator
    except ImportError as err:  # moto is an optional extra
        from fgc.spec.errors import UsageError

        raise UsageError("--local needs the emulator", "install it with: pip install 'fgc[local]'") from err
    handle = emulator.start()
    print(
        f"--local: a rehearsal against an in-process AWS emulator ({handle.url}, fake credentials); "
        "nothing reaches AWS, and it is all gone when fgc exits",
        file=sys.stderr,
        flush=True,
    )
    try:
        from fgc.compiler.pipeline import region_for

        region = region_for(args.region, spec_region)  # what the templates were linted for
        stood = handle.stand_in(spec, region) if spec is not None else []
        for stand_in in stood:
            print(f"--local: {stand_in}", file=sys.stderr, flush=True)
        aws = connect(region=region, endpoint_url=handle.url, credentials=LOCAL_CREDENTIALS)
        yield Target(aws, handle, stood)
    finally:
        handle.stop()


def say_retry(message: str) -> None:
    """A network failure being retried, on stderr as it happens (not minutes of silence)."""
    print(f"fgc: {message}", file=sys.stderr, flush=True)


def interactive() -> bool:
    """True when a person can answer a question on stdin."""
    return sys.stdin.isatty()


def seconds(option: str, text: str) -> float:
    """A duration option (``90s``, ``10m``, ``2h``) in seconds; a usage error (exit 2) naming the
    option, before anything is sent to AWS."""
    from fgc.spec.errors import UsageError
    from fgc.spec.units import duration

    try:
        return float(duration(text))
    except ValueError as err:
        raise UsageError(f"{option}: {err}") from None
