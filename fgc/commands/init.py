"""``fgc init``: write a commented starter fargate.yaml, and the JSON Schema beside it for editors.

Neither file is ever written over: an existing fargate.yaml stops the command, an
existing fargate.schema.json is kept as it is.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

#: The schema file the starter's first line points editors at (yaml-language-server), as the README does.
SCHEMA_FILE = "fargate.schema.json"
#: An nginx build that runs as a non-root user on port 8080 and writes only under /tmp, so it
#: starts with fgc's read-only root file system and answers the health check on `/`.
DEFAULT_IMAGE = "public.ecr.aws/nginx/nginx-unprivileged:stable"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--app", help="the application name (default: from the current folder's name)")
    parser.add_argument(
        "--image",
        default=DEFAULT_IMAGE,
        help=f"the container image; it must listen on port 8080 and answer GET / (default: {DEFAULT_IMAGE})",
    )


def run(args: argparse.Namespace) -> int:
    from fgc.commands._files import write_file
    from fgc.spec.errors import UsageError

    app = args.app or _app_name(os.path.basename(os.getcwd()))
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,27}", app):
        raise UsageError(
            f"--app {app!r}: use 1-28 lower-case letters, digits and hyphens, starting with a letter"
        )
    from importlib import resources

    text = resources.files("fgc").joinpath("starter.yaml").read_text(encoding="utf-8")
    write_file(
        args.file,
        text.format(app=app, image=args.image, network=_network(args.image)),
        option="-f",
        overwrite=False,
    )
    print(f"wrote {args.file} (app {app})")
    print(f"{_write_schema(Path(args.file).parent / SCHEMA_FILE)}; next: fgc validate -f {args.file}")
    return 0


def _write_schema(path: Path) -> str:
    """Write the JSON Schema the starter's first line names, unless a file is there already."""
    from fgc.commands._files import write_file
    from fgc.spec.errors import UsageError
    from fgc.spec.schema import schema_text

    if path.exists():
        return f"kept the existing {path}"
    try:
        write_file(path, schema_text(), option="-f", overwrite=False)
    except UsageError as err:  # the spec is written: a missing schema only costs editor completion
        return f"did not write {path} ({err.message}); `fgc schema -o {path}` writes it later"
    return f"wrote {path} (editors complete and check keys with it)"


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
