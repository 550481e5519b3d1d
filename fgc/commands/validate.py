"""``fgc validate``: check fargate.yaml (and each environment) and list every problem."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgc.spec.models import Spec

DESCRIPTION = (
    "Validate fargate.yaml. Without --env, the base document and every environment overlay are checked;\n"
    "with --env, only that environment. Problems print as FILE:LINE:COL: key.path: message (exit 2).\n"
    "Beyond the keys themselves: what the tasks could not reach from the network the file builds\n"
    "(with nat: none, only ECR, secrets and parameters of their own region, through the endpoints)."
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--env", metavar="NAME", help="check only this environment overlay")


def run(args: argparse.Namespace) -> int:
    from fgc.spec.builds import problems as build_problems
    from fgc.spec.errors import SpecError
    from fgc.spec.loader import environments, loads, read
    from fgc.spec.reachability import problems as reachable

    data = read(args.file)
    try:
        envs = [] if args.env else environments(data, args.file)
    except SpecError:
        envs = []  # an unreadable document: loading it below reports why
    names = [args.env] if args.env else [None, *envs]
    problems = []
    for name in names:
        try:
            document = loads(data, filename=args.file, env=name)
            _deployable(document)
        except SpecError as err:
            problems += err.problems
            continue
        problems += [p for p in build_problems(document) if p not in problems]  # context, Dockerfile
        problems += [
            document.problem_at(tuple(path.split(".")), message) for path, message in reachable(document)
        ]
    if problems:
        raise SpecError(problems)
    checked = f" (environment {args.env})" if args.env else _and_envs(envs)
    print(f"{args.file}: valid{checked}")
    return 0


def _deployable(spec: Spec) -> None:
    """Compile (and, with overrides, lint) a document that could break a rule only its templates
    show (SPEC.md, "Valid means deployable"); an ordinary one is fully checked by loading it, and
    validate stays fast."""
    from fgc.spec.deployable import may_exceed

    if may_exceed(spec):
        from fgc.compiler.limits import verify

        verify(spec)


def _and_envs(names: list[str]) -> str:
    return f" (and environments {', '.join(names)})" if names else ""
