"""The review's rules on compiled templates, without AWS: risks, security broadening, traffic lines.

The "before" side is a compiled stack set as the deployed one reads back (GetTemplate gives
the templates fgc sent); the plan is built as the deployer builds it from a change set.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from fgc.compiler import compile
from fgc.compiler.stackset import StackSet
from fgc.deployer.broadening import broadening
from fgc.deployer.plan import Plan, ResourceChange, StackPlan
from fgc.deployer.risks import risks
from fgc.deployer.traffic_effect import traffic

from fgc import spec

SPEC = """\
app: rtest
network:
  vpc: {azs: 2, endpoints: false, nat: single}
services:
  web:
    image: public.ecr.aws/docker/library/nginx:1.25
    port: 8080
    http: {path: /, health_check: {path: /health}}
    logs: {retention: 7}
    permissions:
      - {actions: ["s3:*"], resources: ["arn:aws:s3:::bucket/*"]}
"""


@pytest.fixture
def compiled(tmp_path: Path) -> StackSet:
    path = tmp_path / "fargate.yaml"
    path.write_text(SPEC)
    return compile(spec.load(path))


def edited(stack_set: StackSet, part: str, change: Any) -> StackSet:
    """``stack_set`` with ``change(template)`` applied to a copy of one part's template."""
    templates = {name: copy.deepcopy(stack_set[name]) for name in stack_set}
    change(templates[part])
    return StackSet.of(stack_set.stack_name, templates)


def plan_of(stack_set: StackSet, *changes: tuple[str, ResourceChange]) -> Plan:
    """A plan of ``changes`` (part name, change), as the deployer describes a change-set tree."""
    root = StackPlan(stack_set.stack_name, "root", None)
    by_part: dict[str, StackPlan] = {}
    for part, change in changes:
        if part == "root":
            root.changes.append(change)
            continue
        if part not in by_part:
            by_part[part] = StackPlan(stack_set.part(part).logical_id, part, None)
            root.nested.append(by_part[part])
        by_part[part].changes.append(change)
    return Plan(stack_set.stack_name, "fgc-test", None, "UPDATE", root, labels=stack_set.labels)


def role(template: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"]["TaskRole"]["Properties"]
    return props


def test_an_action_added_to_a_policy_is_listed_and_one_a_wildcard_covered_is_not(compiled: StackSet) -> None:
    assert broadening(compiled, compiled) == []

    def add(template: dict[str, Any]) -> None:
        statements = role(template)["Policies"][0]["PolicyDocument"]["Statement"]
        statements.append({"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"], "Resource": "*"})
        statements.append({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/a"})

    [finding] = broadening(compiled, edited(compiled, "service-web", add))
    assert (finding.kind, finding.stack, finding.logical_id) == ("iam", "service-web", "TaskRole")
    # s3:GetObject on bucket/a was covered by s3:* on bucket/*; on "*" it is new
    assert finding.message == "policy app allows s3:GetObject, sqs:SendMessage on *"


def test_narrowing_is_not_a_risk_and_a_removed_condition_is(compiled: StackSet) -> None:
    def narrow(template: dict[str, Any]) -> None:
        role(template)["Policies"][0]["PolicyDocument"]["Statement"][0]["Action"] = ["s3:GetObject"]

    assert broadening(compiled, edited(compiled, "service-web", narrow)) == []

    def unconditioned(template: dict[str, Any]) -> None:
        del role(template)["AssumeRolePolicyDocument"]["Statement"][0]["Condition"]

    [finding] = broadening(compiled, edited(compiled, "service-web", unconditioned))
    assert finding.message == "trust policy allows sts:AssumeRole to Service: ecs-tasks.amazonaws.com"


def test_a_new_principal_and_a_managed_policy_are_listed(compiled: StackSet) -> None:
    def widen(template: dict[str, Any]) -> None:
        trust = role(template)["AssumeRolePolicyDocument"]["Statement"][0]
        trust["Principal"] = {"Service": ["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]}
        role(template)["ManagedPolicyArns"] = ["arn:aws:iam::aws:policy/ReadOnlyAccess"]

    messages = [f.message for f in broadening(compiled, edited(compiled, "service-web", widen))]
    assert messages[0].startswith("trust policy allows sts:AssumeRole to Service: lambda.amazonaws.com when ")
    assert messages[1:] == ["managed policy arn:aws:iam::aws:policy/ReadOnlyAccess attached"]


def test_security_group_ingress_wider_cidr_and_new_port_are_listed_a_narrower_one_is_not(
    compiled: StackSet,
) -> None:
    def rules(template: dict[str, Any]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = template["Resources"]["SecurityGroup"]["Properties"][
            "SecurityGroupIngress"
        ]
        return found

    def base(template: dict[str, Any]) -> None:
        rules(template).append({"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.1.0.0/16"})

    before = edited(compiled, "service-web", base)

    def wider(template: dict[str, Any]) -> None:
        base(template)
        rules(template)[-1]["CidrIp"] = "0.0.0.0/0"
        rules(template).append(
            {"IpProtocol": "tcp", "FromPort": 8443, "ToPort": 8443, "CidrIp": "10.1.0.0/24"}
        )

    found = broadening(before, edited(compiled, "service-web", wider))
    assert [(f.kind, f.logical_id, f.message) for f in found] == [
        ("security-group", "SecurityGroup", "new ingress: tcp 22 from 0.0.0.0/0"),
        ("security-group", "SecurityGroup", "new ingress: tcp 8443 from 10.1.0.0/24"),
    ]

    def narrower(template: dict[str, Any]) -> None:
        base(template)
        rules(template)[-1]["CidrIp"] = "10.1.2.0/24"

    assert broadening(before, edited(compiled, "service-web", narrower)) == []


def test_a_first_deploy_lists_everything_it_allows(compiled: StackSet) -> None:
    found = broadening(None, compiled)
    assert any(f.logical_id == "TaskRole" and "s3:* on arn:aws:s3:::bucket/*" in f.message for f in found)
    assert any(f.kind == "security-group" and f.logical_id == "SecurityGroup" for f in found)


def test_replacements_users_feel_and_retained_resources_left_behind(compiled: StackSet) -> None:
    group = ResourceChange(
        "Modify", "TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", "True", ("Port",)
    )
    role_change = ResourceChange("Modify", "TaskRole", "AWS::IAM::Role", "True", ("RoleName",))
    logs = ResourceChange("Remove", "LogGroup", "AWS::Logs::LogGroup")
    stack = ResourceChange("Remove", "Network", "AWS::CloudFormation::Stack")
    found = risks(
        plan_of(
            compiled,
            ("service-web", group),
            ("service-web", role_change),
            ("service-web", logs),
            ("root", stack),
        ),
        compiled,
    )
    assert [(f.kind, f.stack, f.logical_id) for f in found] == [
        ("replacement", "service-web", "TargetGroup"),
        ("orphaned", "service-web", "LogGroup"),  # the log group is retained: it stays, unmanaged
    ] + [
        ("orphaned", "network", lid)
        for lid, r in compiled["network"]["Resources"].items()
        if r.get("DeletionPolicy") == "Retain"
    ]
    assert found[0].message == "replaced: a new target group: connections open on the old one are dropped"
    assert "DeletionPolicy Retain" in found[1].message


def with_strategy(stack_set: StackSet, config: dict[str, Any]) -> StackSet:
    """The compiled set with the service's DeploymentConfiguration given CloudFormation's strategy keys."""

    def set_config(template: dict[str, Any]) -> None:
        template["Resources"]["Service"]["Properties"]["DeploymentConfiguration"] = config

    return edited(stack_set, "service-web", set_config)


NEW_TASK_DEFINITION = (
    "service-web",
    ResourceChange("Modify", "TaskDefinition", "AWS::ECS::TaskDefinition", "True"),
)


def test_traffic_line_per_strategy(compiled: StackSet) -> None:
    group = compiled["service-web"]["Resources"]["TargetGroup"]["Properties"]
    health = group["HealthCheckIntervalSeconds"] * group["HealthyThresholdCount"]
    drain = next(
        int(a["Value"])
        for a in group["TargetGroupAttributes"]
        if a["Key"] == "deregistration_delay.timeout_seconds"
    )

    def line(config: dict[str, Any]) -> str:
        after = with_strategy(compiled, config)
        [entry] = traffic(plan_of(after, NEW_TASK_DEFINITION), after)
        return entry.text

    def about(waits: float) -> int:
        return -(-(60 + health + drain + waits * 60) // 60)  # whole minutes, rounded up

    assert line({"MaximumPercent": 200}) == f"starts a new ECS deployment (rolling; about {about(0)} min)"
    assert line({"Strategy": "BLUE_GREEN", "BakeTimeInMinutes": 5}) == (
        f"starts a new ECS deployment (blue/green, bake 5 m; about {about(5)} min)"
    )
    canary = {
        "Strategy": "CANARY",
        "BakeTimeInMinutes": 5,
        "CanaryConfiguration": {"CanaryPercent": 10, "CanaryBakeTimeInMinutes": 5},
    }
    assert (
        line(canary) == f"starts a new ECS deployment (canary 10 % for 5 m, bake 5 m; about {about(10)} min)"
    )
    # CloudFormation counts 100 / 25 - 1 = 3 step bakes (none after the last shift); 11 % gives floor(9.09) = 9
    linear = {
        "Strategy": "LINEAR",
        "BakeTimeInMinutes": 2,
        "LinearConfiguration": {"StepPercent": 25, "StepBakeTimeInMinutes": 4},
    }
    assert (
        line(linear)
        == f"starts a new ECS deployment (linear 25 % every 4 m, bake 2 m; about {about(14)} min)"
    )
    linear["LinearConfiguration"] = {"StepPercent": 11, "StepBakeTimeInMinutes": 1}
    assert line(linear).endswith(f"about {about(11)} min)")
    # ECS's defaults for an absent CanaryConfiguration: 5 % for 10 minutes
    assert line({"Strategy": "CANARY"}).startswith(
        "starts a new ECS deployment (canary 5 % for 10 m, bake 0 m;"
    )


def test_no_new_deployment_for_a_desired_count_or_scaling_change(compiled: StackSet) -> None:
    count = (
        "service-web",
        ResourceChange("Modify", "Service", "AWS::ECS::Service", "False", ("DesiredCount",)),
    )
    scaling = (
        "service-web",
        ResourceChange("Modify", "ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget"),
    )
    [entry] = traffic(plan_of(compiled, count, scaling), compiled)
    assert (entry.service, entry.deployment, entry.text) == ("web", "none", "no new deployment")
    network = (
        "service-web",
        ResourceChange("Modify", "Service", "AWS::ECS::Service", "False", ("NetworkConfiguration",)),
    )
    assert traffic(plan_of(compiled, network), compiled)[0].deployment == "new"
    created = ("service-web", ResourceChange("Add", "Service", "AWS::ECS::Service"))
    assert traffic(plan_of(compiled, created), compiled)[0].text.startswith(
        "starts its first ECS deployment (rolling;"
    )


def test_a_removed_service_says_so(compiled: StackSet, tmp_path: Path) -> None:
    two = tmp_path / "two.yaml"
    two.write_text(SPEC + "  worker:\n    image: public.ecr.aws/docker/library/busybox:1\n")
    before = compile(spec.load(two))
    gone = ("root", ResourceChange("Remove", "ServiceWorker", "AWS::CloudFormation::Stack"))
    entries = traffic(plan_of(compiled, gone), compiled, before)
    assert [(e.service, e.deployment) for e in entries] == [("web", "none"), ("worker", "removed")]


def test_a_service_that_may_be_replaced_and_a_repository_deleted_with_its_images(compiled: StackSet) -> None:
    service = ResourceChange("Modify", "Service", "AWS::ECS::Service", "Conditional", ("ServiceName",))
    repository = ResourceChange("Remove", "Repository", "AWS::ECR::Repository")  # not in the deployed set
    found = risks(plan_of(compiled, ("service-web", service), ("service-web", repository)), compiled)
    assert [(f.kind, f.logical_id, f.message) for f in found] == [
        (
            "replacement",
            "Service",
            "may be replaced: a new ECS service: its tasks start from nothing while the old service's are stopped",
        ),
        ("data-loss", "Repository", "removed: its images are deleted with it"),
    ]


def test_a_policy_attached_to_one_more_role_is_listed(compiled: StackSet) -> None:
    def policy(roles: list[Any]) -> Any:
        def add(template: dict[str, Any]) -> None:
            statement = {"Effect": "Allow", "Action": "sqs:*", "Resource": "*"}
            template["Resources"]["Extra"] = {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "PolicyName": "extra",
                    "PolicyDocument": {"Statement": [statement]},
                    "Roles": roles,
                },
            }

        return add

    before = edited(compiled, "service-web", policy([{"Ref": "TaskRole"}]))
    after = edited(compiled, "service-web", policy([{"Ref": "TaskRole"}, {"Ref": "ExecutionRole"}]))
    [finding] = broadening(before, after)
    assert (finding.logical_id, finding.message) == ("Extra", "now attached to role ${ExecutionRole}")
    assert broadening(after, before) == []


def test_the_cost_change_as_values_and_a_region_without_prices(compiled: StackSet) -> None:
    from fgc.deployer.review import cost_change

    from fgc.commands._plan_json import cost_document

    def per_az(template: dict[str, Any]) -> None:
        gateway = next(r for r in template["Resources"].values() if r["Type"] == "AWS::EC2::NatGateway")
        template["Resources"]["SecondNat"] = copy.deepcopy(gateway)

    change = cost_change("us-east-1", compiled, edited(compiled, "network", per_az))
    assert change.unknown is None and change.total.startswith("+$") and change.low == change.high > 0
    assert [c.item for c in change.changes][0] == "NAT gateways"
    assert str(change.changes[0]).startswith("+$32.85/month: NAT gateways (2 NAT gateways x 730 h; was 1 NAT")
    assert cost_change("us-east-1", compiled, compiled).changes == ()

    unknown = cost_change("mars-north-1", None, compiled)
    assert unknown.unknown and "mars-north-1" in unknown.unknown
    document = cost_document(unknown)
    assert document["total"] is None and document["changes"] == []
    assert document["text"] == f"Monthly cost change not shown: {unknown.unknown}"
