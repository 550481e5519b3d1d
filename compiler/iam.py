"""The two roles of a task, each allowed exactly what it needs.

* execution role (used by ECS to start the task): pull this service's images, write its
  log group, read exactly the referenced secrets and parameters. Never ``*`` for
  secrets, parameters or KMS; the only ``*`` is ``ecr:GetAuthorizationToken``, which
  supports no resource scoping. No ``kms:Decrypt``: secrets under the AWS managed key
  need none, and a customer key's grant belongs in that key's policy.
* task role (used by the app): the spec's ``permissions``, plus the SSM channels when
  ECS Exec is on. Absent when it would be empty.
"""

from __future__ import annotations

from typing import Any

from fgc.compiler import defaults, images, secrets
from fgc.compiler.containers import parts
from fgc.spec.models import Service
from troposphere import AccountId, GetAtt, Sub, iam

_TASKS = "ecs-tasks.amazonaws.com"


def _trust(*, confused_deputy_guard: bool) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"Service": _TASKS},
        "Action": "sts:AssumeRole",
    }
    if confused_deputy_guard:
        statement["Condition"] = {
            "ArnLike": {"aws:SourceArn": Sub("arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:*")},
            "StringEquals": {"aws:SourceAccount": AccountId},
        }
    return {"Version": "2012-10-17", "Statement": [statement]}


def _unique(values: list[Any]) -> list[Any]:
    """Drop duplicates, keep order (values may be troposphere objects: compare their JSON)."""
    seen: set[str] = set()
    result = []
    for value in values:
        key = repr(value.to_dict()) if hasattr(value, "to_dict") else repr(value)
        if key not in seen:
            seen.add(key)
            result.append(value)
    return result


def execution_role(service: Service, log_group: str) -> iam.Role:
    containers = parts(service)
    repositories = _unique([a for c in containers if (a := images.parse(c.image).ecr_arn()) is not None])
    refs = [ref for c in containers for _, ref in sorted(c.secrets.items())]
    secret_arns = _unique([arn for ref in refs if ref.secretsmanager for arn in secrets.resource_arns(ref)])
    parameter_arns = _unique([arn for ref in refs if ref.ssm for arn in secrets.resource_arns(ref)])

    statements: list[dict[str, Any]] = []
    if repositories:
        statements.append(
            {"Sid": "EcrLogin", "Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"}
        )
        statements.append(
            {
                "Sid": "PullImages",
                "Effect": "Allow",
                "Action": defaults.ECR_PULL_ACTIONS,
                "Resource": repositories,
            }
        )
    statements.append(
        {
            "Sid": "WriteLogs",
            "Effect": "Allow",
            "Action": defaults.LOG_WRITE_ACTIONS,
            "Resource": GetAtt(log_group, "Arn"),
        }
    )
    if secret_arns:
        statements.append(
            {
                "Sid": "ReadSecrets",
                "Effect": "Allow",
                "Action": "secretsmanager:GetSecretValue",
                "Resource": secret_arns,
            }
        )
    if parameter_arns:
        statements.append(
            {
                "Sid": "ReadParameters",
                "Effect": "Allow",
                "Action": "ssm:GetParameters",
                "Resource": parameter_arns,
            }
        )
    return iam.Role(
        "ExecutionRole",
        AssumeRolePolicyDocument=_trust(confused_deputy_guard=False),
        Policies=[iam.Policy(PolicyName="execution", PolicyDocument=_document(statements))],
    )


def task_role(service: Service) -> iam.Role | None:
    statements: list[dict[str, Any]] = [
        {"Effect": p.effect, "Action": list(p.actions), "Resource": list(p.resources)}
        for p in service.permissions
    ]
    if service.exec:
        statements.append(
            {"Sid": "EcsExec", "Effect": "Allow", "Action": defaults.EXEC_ACTIONS, "Resource": "*"}
        )
    if not statements:
        return None
    return iam.Role(
        "TaskRole",
        AssumeRolePolicyDocument=_trust(confused_deputy_guard=True),
        Policies=[iam.Policy(PolicyName="app", PolicyDocument=_document(statements))],
    )


def _document(statements: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": statements}
