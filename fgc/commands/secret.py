"""``fgc secret set NAME [--key KEY]``: write a Secrets Manager secret's value, read from stdin."""

from __future__ import annotations

import argparse
import sys

from fgc.commands._target import add_aws, add_env

DESCRIPTION = (
    "Create or update the Secrets Manager secret NAME with the value read from standard input "
    "(one trailing newline is dropped; the value is never printed). With --key KEY, only that key "
    "of the secret's JSON object is set and the others are kept, as `secretsmanager: NAME, key: KEY` "
    "in fargate.yaml reads it. A new secret is tagged with the application (fgc:app) and the spec's "
    'tags. Example: printf %s "$DB_PASSWORD" | fgc secret set flask-api/database --key password'
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["set"], help="what to do (set: create or update)")
    parser.add_argument("name", metavar="NAME", help="the secret's name, as fargate.yaml names it")
    parser.add_argument("--key", metavar="KEY", help="set only this key of the secret's JSON object")
    add_env(parser)
    add_aws(parser, local=False)


def run(args: argparse.Namespace) -> int:
    from fgc import spec
    from fgc.commands._target import interactive, open_target
    from fgc.deployer.secret_values import APP_TAG, set_secret
    from fgc.spec.errors import UsageError

    document = spec.load(args.file, env=args.env)
    if interactive():
        print(f"value of {args.name}{f' key {args.key}' if args.key else ''} (then Ctrl-D):", file=sys.stderr)
    value = sys.stdin.read()
    value = value[:-1] if value.endswith("\n") else value
    if not value:
        raise UsageError("no value on standard input", f"printf %s VALUE | fgc secret set {args.name}")
    with open_target(args, document.region) as target:
        written = set_secret(target.aws, args.name, value, args.key, {**document.tags, APP_TAG: document.app})
    what = f"key {written.key} of " if written.key else ""
    print(f"{'created' if written.created else 'updated'} {what}secret {written.name} ({written.arn})")
    return 0
