"""``fgc init``: write a commented starter fargate.yaml (never over an existing file)."""

from __future__ import annotations

import argparse
import os
import re


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app", help="the application name (default: from the current folder's name)")
    parser.add_argument("--image", default="public.ecr.aws/nginx/nginx:stable", help="the container image")


def run(args: argparse.Namespace) -> int:
    from fgc.spec.errors import UsageError

    app = args.app or _app_name(os.path.basename(os.getcwd()))
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,27}", app):
        raise UsageError(
            f"--app {app!r}: use 1-28 lower-case letters, digits and hyphens, starting with a letter"
        )
    from importlib import resources

    text = resources.files("fgc").joinpath("starter.yaml").read_text(encoding="utf-8")
    text = text.format(app=app, image=args.image, network=_network(args.image))
    try:
        with open(args.file, "x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(
            f"{args.file} exists already; not overwriting it", hint="use -f to pick another file"
        ) from None
    print(f"wrote {args.file} (app {app}); next: fgc validate -f {args.file}")
    return 0


def _network(image: str) -> str:
    """Private tasks without NAT pull only from ECR of their region: a public image needs a NAT."""
    if re.match(r"\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/", image):
        return "# network: omitted = a new VPC over 2 AZs, private tasks, VPC endpoints, no NAT\n"
    return (
        "network:                         # a new VPC over 2 AZs, private tasks, VPC endpoints, and\n"
        "  vpc: {nat: single}             # a NAT gateway (about $32/month + data): the image is outside\n"
        "                                 # ECR; with one in ECR of your region, nat: none is enough\n"
    )


def _app_name(folder: str) -> str:
    """A valid app name made from a folder name, or ``app`` when nothing usable is left."""
    name = re.sub(r"[^a-z0-9-]+", "-", folder.lower()).strip("-")
    name = re.sub(r"^[^a-z]+", "", name)[:28].rstrip("-")
    return name or "app"
