"""``fgc secret set``: a Secrets Manager secret's value (or one JSON key of it), written by fgc.

Secrets are the one thing a fargate.yaml references but fgc never creates in a stack: their values
must not be in a template. The guide's Step 5 creates them with the AWS CLI; this does the same
with the caller's credentials, tagged with the application, so a deploy's secrets can be set up
without leaving fgc. A secret that exists keeps its other keys; a value is never printed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from fgc.deployer.session import Aws, error_code, refusals
from fgc.spec.errors import UsageError

#: The tag naming the application a secret belongs to.
APP_TAG = "fgc:app"


@dataclass(frozen=True)
class SecretWritten:
    """What ``set_secret`` did: the secret's ARN, whether it was created, which key was set."""

    name: str
    arn: str
    created: bool
    key: str | None = None


def set_secret(
    aws: Aws, name: str, value: str, key: str | None = None, tags: Mapping[str, str] | None = None
) -> SecretWritten:
    """Create or update the secret ``name``: its whole value, or with ``key`` one key of its JSON object."""
    import botocore.exceptions as bex

    client = aws.client("secretsmanager")
    with refusals():
        try:
            current = client.get_secret_value(SecretId=name).get("SecretString")
        except bex.ClientError as err:
            if error_code(err) != "ResourceNotFoundException":
                raise
            current = None
        text = value if key is None else json.dumps({**_document(name, current), key: value}, sort_keys=True)
        if current is None:
            tag_list = [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())]
            created = client.create_secret(Name=name, SecretString=text, Tags=tag_list)
            return SecretWritten(name, created["ARN"], True, key)
        updated = client.put_secret_value(SecretId=name, SecretString=text)
        if tags:
            client.tag_resource(SecretId=name, Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())])
        return SecretWritten(name, updated["ARN"], False, key)


def _document(name: str, current: str | None) -> dict[str, object]:
    """The secret's JSON object (empty when new); a value that is not one cannot take a key."""
    if current is None:
        return {}
    try:
        document = json.loads(current)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise UsageError(
            f"secret {name} holds a plain value, not a JSON object: --key cannot set one of its keys",
            f"set the whole value with `fgc secret set {name}` (no --key)",
        )
    return document
