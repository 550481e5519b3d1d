"""`fgc emulator`: serve the local AWS endpoint in the foreground until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

DESCRIPTION = (
    "Serve a local AWS endpoint in the foreground until Ctrl-C. Point fgc, boto3 or the AWS CLI at it "
    "with AWS_ENDPOINT_URL; every deploy, diff, status and destroy then runs against it, never AWS."
)
DEFAULT_PORT = 4566


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port",
        type=port_number,
        default=DEFAULT_PORT,
        help=f"loopback port to listen on (default: {DEFAULT_PORT}; 0 picks a free one)",
    )


def port_number(text: str) -> int:
    """``--port`` as argparse checks it: a TCP port, 0-65535 (0: the system picks a free one)."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port: use 1-65535, or 0 for any free port")
    return port


def run(args: argparse.Namespace) -> int:
    from fgc import emulator
    from fgc.spec.errors import UsageError

    try:
        handle = emulator.start(port=args.port)
    except OSError as err:
        raise UsageError(f"cannot listen on port {args.port}: {err.strerror or err}") from err
    print(f"fgc emulator listening on {handle.url}")
    print(f"  export AWS_ENDPOINT_URL={handle.url}")
    print("  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=us-east-1")
    print(f"  faults: POST {handle.url}/_fgc/faults   reset: POST {handle.url}/_fgc/reset")
    print("Press Ctrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        handle.stop()
    return 0
