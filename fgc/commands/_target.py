"""Options shared by the commands that talk to AWS, and opening the session they describe.

``--local`` swaps AWS for an in-process emulator with fake credentials, so the
same command runs as a rehearsal on a machine without an AWS account.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fgc.deployer.session import Aws

#: Region of a ``--local`` rehearsal when neither --region nor the spec names one.
LOCAL_REGION = "us-east-1"
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
        "--region", metavar="REGION", help="AWS region (default: the spec's, then AWS_REGION)"
    )
    if local:
        parser.add_argument(
            "--local",
            action="store_true",
            help="run against an in-process AWS emulator (no AWS account needed) and show what it holds",
        )


@dataclass
class Target:
    """The session to use, and the emulator behind it for ``--local``."""

    aws: Aws
    emulator: Any = None


@contextmanager
def open_target(args: argparse.Namespace, spec_region: str | None) -> Iterator[Target]:
    """Connect as the arguments say; for ``--local`` start (and finally stop) an emulator."""
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
        region = args.region or spec_region or LOCAL_REGION
        yield Target(connect(region=region, endpoint_url=handle.url, credentials=LOCAL_CREDENTIALS), handle)
    finally:
        handle.stop()


def say_retry(message: str) -> None:
    """A network failure being retried, on stderr as it happens (not minutes of silence)."""
    print(f"fgc: {message}", file=sys.stderr, flush=True)


def interactive() -> bool:
    """True when a person can answer a question on stdin."""
    return sys.stdin.isatty()
