"""Secret references: the exact ARNs the execution role may read and the ``valueFrom`` ECS resolves.

Values never appear in a template; only these references do. ARNs built from names
use pseudo parameters, so one template serves every account and region.
"""

from __future__ import annotations

from typing import Any

from fgc.spec.models import SecretRef
from troposphere import Sub

_SECRET_PREFIX = "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:"
_PARAMETER_PREFIX = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/"


def _escape(text: str) -> str:
    return text.replace("${", "${!")


def value_from(ref: SecretRef) -> Any:
    """``valueFrom``: the secret's (partial) ARN, with ``:key::`` for one JSON key; a parameter's ARN."""
    if ref.ssm is not None:
        return _parameter_arn(ref.ssm)
    name = _secret_name(ref)
    key = f":{ref.key}::" if ref.key else ""
    if name.startswith("arn:"):
        return name + key
    # A partial ARN (no random suffix): Secrets Manager resolves it to the secret of that name.
    return Sub(_SECRET_PREFIX + _escape(name) + _escape(key))


def resource_arns(ref: SecretRef) -> list[Any]:
    """What the execution role may read: the secret (with its random suffix) or the parameter.

    A name gets ``-??????`` (exactly Secrets Manager's six-character suffix). A given ARN may
    be complete or partial and a name may itself end in six letters after a hyphen, so
    both the ARN as written and the ARN plus a suffix are allowed: still that one secret.
    """
    if ref.ssm is not None:
        return [_parameter_arn(ref.ssm)]
    name = _secret_name(ref)
    if name.startswith("arn:"):
        return [name, name + "-??????"]
    return [Sub(_SECRET_PREFIX + _escape(name) + "-??????")]


def _secret_name(ref: SecretRef) -> str:
    """The Secrets Manager name or ARN of a reference without ``ssm`` (a loaded spec has one of them)."""
    if ref.secretsmanager is None:
        raise ValueError(f"a secret reference names secretsmanager or ssm: {ref!r}")
    return ref.secretsmanager


def _parameter_arn(name: str) -> Any:
    if name.startswith("arn:"):
        return name
    return Sub(_PARAMETER_PREFIX + _escape(name.lstrip("/")))
