"""Whether an IAM role may perform one action on one resource, by the role's own policies.

ECS starts a task with its execution role: fetching a secret or a parameter, or pulling from ECR,
is allowed only when the role's identity-based policies allow that action on that ARN. The rules
followed are IAM's policy evaluation logic for a single account
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
an explicit ``Deny`` wins, otherwise an ``Allow`` is needed, otherwise the request is implicitly
denied. ``Action``/``NotAction`` match case-insensitively with ``*`` and ``?`` wildcards,
``Resource``/``NotResource`` case-sensitively with the same wildcards
(https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html).
Conditions are not evaluated: a statement with one applies as if its condition held, the
generous reading (the emulator never refuses what AWS might allow because of a condition).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import unquote

from moto.iam.models import iam_backends
from moto.utilities.utils import get_partition


def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    """IAM's wildcards (``*`` any run, ``?`` one character) as a full-match regular expression."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE if ignore_case else 0)


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _matches(patterns: list[str], value: str, ignore_case: bool) -> bool:
    return any(_pattern(p, ignore_case).match(value) for p in patterns)


def _applies(statement: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in statement:
        action_ok = _matches(_listed(statement["Action"]), action, ignore_case=True)
    else:
        action_ok = not _matches(_listed(statement.get("NotAction")), action, ignore_case=True)
    if "Resource" in statement:
        resource_ok = _matches(_listed(statement["Resource"]), resource, ignore_case=False)
    else:
        resource_ok = not _matches(_listed(statement.get("NotResource")), resource, ignore_case=False)
    return action_ok and resource_ok


def _document(text: Any) -> dict[str, Any]:
    if isinstance(text, dict):
        return text
    return json.loads(unquote(text) if str(text).lstrip().startswith("%7B") else text)


def role_statements(role: Any, backend: Any) -> Iterator[dict[str, Any]]:
    """Every statement of the role's inline and attached managed policies."""
    documents = [_document(d) for d in role.policies.values()]
    for arn in role.managed_policies:
        policy = backend.managed_policies.get(arn)
        if policy is not None:
            version = next((v for v in policy.versions if v.is_default), policy.versions[0])
            documents.append(_document(version.document))
    for document in documents:
        statements = document.get("Statement") or []
        yield from [statements] if isinstance(statements, dict) else statements


def allowed(role_arn: str | None, action: str, resource: str, account_id: str, region_name: str) -> bool:
    """True when the role (by ARN or name) may perform ``action`` on ``resource``.

    No role, or a role that does not exist, may do nothing: ECS then cannot act for the task."""
    if not role_arn:
        return False
    backend = iam_backends[account_id][get_partition(region_name)]
    name = role_arn.rsplit("/", 1)[-1]
    role = next((r for r in backend.roles.values() if r.name == name), None)
    if role is None:
        return False
    verdict = False
    for statement in role_statements(role, backend):
        if not _applies(statement, action, resource):
            continue
        if statement.get("Effect") == "Deny":
            return False
        verdict = verdict or statement.get("Effect") == "Allow"
    return verdict
