"""Security properties of what the compiler emits, checked on every golden output.

The issue asks for them on the default case; holding every case to them costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fgc.compiler import StackSet
from golden_cases import CASES, load_case

SENSITIVE_PREFIXES = ("secretsmanager:", "ssm:", "kms:")


def _all(golden_outputs: dict[str, list[StackSet]]) -> Iterator[tuple[str, StackSet]]:
    for case, sets in golden_outputs.items():
        for templates in sets:
            yield f"{case}/{templates.stack_name}", templates


def _resources(templates: StackSet, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for name in templates:
        for logical_id, resource in templates[name].get("Resources", {}).items():
            if resource["Type"] == kind:
                yield name, logical_id, resource.get("Properties", {})


def _statements(templates: StackSet) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, logical_id, props in _resources(templates, "AWS::IAM::Role"):
        for policy in props.get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                yield f"{name}:{logical_id}", statement
    for name, logical_id, props in _resources(templates, "AWS::IAM::Policy"):
        for statement in props["PolicyDocument"]["Statement"]:
            yield f"{name}:{logical_id}", statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_no_statement_allows_secrets_parameters_or_kms_on_star(golden_outputs) -> None:
    checked = 0
    for where, templates in _all(golden_outputs):
        for role, statement in _statements(templates):
            checked += 1
            if "*" not in _as_list(statement["Resource"]):
                continue
            actions = _as_list(statement["Action"])
            bad = [a for a in actions if a == "*" or a.lower().startswith(SENSITIVE_PREFIXES)]
            assert not bad, f"{where} {role}: {bad} on Resource '*'"
    assert checked > 10


def test_repo_case_secrets_are_referenced_never_valued(repo_templates: StackSet) -> None:
    """Each secret is a valueFrom reference to an ARN; the execution role reads exactly those."""
    app = load_case("repo")
    for service_name, service in app.services.items():
        template = repo_templates[f"service-{service_name}"]
        container = template["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][0]
        refs = {s["Name"]: s["ValueFrom"] for s in container.get("Secrets", [])}
        assert set(refs) == set(service.secrets)
        assert not {e["Name"] for e in container.get("Environment", [])} & set(refs)
        for name, ref in service.secrets.items():
            text = refs[name]["Fn::Sub"]
            assert text.startswith("arn:${AWS::Partition}:")
            if ref.key:
                assert text.endswith(f":secret:{ref.secretsmanager}:{ref.key}::")
        policy = template["Resources"]["ExecutionRole"]["Properties"]["Policies"][0]["PolicyDocument"]
        statements = {s.get("Sid"): s for s in policy["Statement"]}
        names = sorted({ref.secretsmanager for ref in service.secrets.values() if ref.secretsmanager})
        if names:
            read = statements["ReadSecrets"]
            assert read["Action"] == "secretsmanager:GetSecretValue"
            assert [r["Fn::Sub"].split(":secret:")[1] for r in read["Resource"]] == [
                f"{n}-??????" for n in names
            ]
    assert app.services["api"].secrets, "the repo's fargate.yaml references secrets"


def test_tasks_never_get_a_public_ip(golden_outputs) -> None:
    services = 0
    for where, templates in _all(golden_outputs):
        for name, _, props in _resources(templates, "AWS::ECS::Service"):
            services += 1
            network = props["NetworkConfiguration"]["AwsvpcConfiguration"]
            assert network["AssignPublicIp"] == "DISABLED", f"{where} {name}"
            assert network["Subnets"] == {"Ref": "PrivateSubnetIds"}, f"{where} {name}"
    assert services >= len(CASES)


def test_subnets_do_not_assign_public_ips(golden_outputs) -> None:
    subnets = 0
    for where, templates in _all(golden_outputs):
        for name, logical_id, props in _resources(templates, "AWS::EC2::Subnet"):
            subnets += 1
            assert props.get("MapPublicIpOnLaunch", False) is False, f"{where} {name}:{logical_id}"
    assert subnets > 0


def test_every_security_group_rule_is_described(golden_outputs) -> None:
    for where, templates in _all(golden_outputs):
        for name, logical_id, props in _resources(templates, "AWS::EC2::SecurityGroup"):
            for rule in props.get("SecurityGroupIngress", []) + props.get("SecurityGroupEgress", []):
                assert rule.get("Description"), f"{where} {name}:{logical_id} {rule}"


def test_log_groups_are_retained(golden_outputs) -> None:
    for where, templates in _all(golden_outputs):
        for name in templates:
            for resource in templates[name]["Resources"].values():
                if resource["Type"] == "AWS::Logs::LogGroup":
                    assert resource["DeletionPolicy"] == resource["UpdateReplacePolicy"] == "Retain", where


@pytest.mark.parametrize("case", ["repo", "multi-service"])
def test_task_role_is_separate_from_execution_role(golden_outputs, case: str) -> None:
    for templates in golden_outputs[case]:
        for name, _, task in _resources(templates, "AWS::ECS::TaskDefinition"):
            if "TaskRoleArn" in task:
                assert task["TaskRoleArn"] != task["ExecutionRoleArn"], name
