"""No false replacements, on change-set shapes as DescribeChangeSet gives them with
IncludePropertyValues (``ResourceChange.Replacement``: "If the RequiresRecreation field is
Always and the Evaluation field is Dynamic, Replacement is Conditional")."""

from __future__ import annotations

import copy
from typing import Any

from fgc.compiler.stackset import Part, StackSet
from fgc.deployer.plan import ResourceChange, StackPlan, stack_plan
from fgc.deployer.replacements import without_false_replacements


def detail(
    path: str, recreation: str, source: str, entity: str | None = None, **target: str
) -> dict[str, Any]:
    dynamic = source in ("ResourceReference", "ResourceAttribute") or target.pop("dynamic", "") == "yes"
    found: dict[str, Any] = {
        "Target": {
            "Attribute": "Properties",
            "Name": path.split("/")[2],
            "RequiresRecreation": recreation,
            "Path": path,
            "AttributeChangeType": "Modify",
            **target,
        },
        "Evaluation": "Dynamic" if dynamic else "Static",
        "ChangeSource": source,
    }
    if entity:
        found["CausingEntity"] = entity
    return found


def modify(logical_id: str, kind: str, replacement: str, *details: dict[str, Any]) -> dict[str, Any]:
    return {
        "Type": "Resource",
        "ResourceChange": {
            "Action": "Modify",
            "LogicalResourceId": logical_id,
            "ResourceType": kind,
            "Replacement": replacement,
            "Details": list(details),
        },
    }


TASK = modify(
    "TaskDefinition",
    "AWS::ECS::TaskDefinition",
    "True",
    detail(
        "/Properties/ContainerDefinitions/0/Image",
        "Always",
        "ParameterReference",
        "ImageTag",
        BeforeValue="repo:v1",
        AfterValue="repo:v2",
    ),
)
SERVICE = modify(
    "Service",
    "AWS::ECS::Service",
    "False",
    detail(
        "/Properties/TaskDefinition", "Never", "ResourceReference", "TaskDefinition", BeforeValue="arn:td:1"
    ),
)
SCALABLE_TARGET = modify(
    "ScalableTarget",
    "AWS::ApplicationAutoScaling::ScalableTarget",
    "Conditional",
    detail(
        "/Properties/ResourceId", "Always", "ResourceAttribute", "Service.Name", BeforeValue="service/c/s"
    ),
)
POLICY = modify(
    "CpuScalingPolicy",
    "AWS::ApplicationAutoScaling::ScalingPolicy",
    "Conditional",
    detail("/Properties/ScalingTargetId", "Always", "ResourceReference", "ScalableTarget", BeforeValue="x"),
)


def honest(*changes: dict[str, Any]) -> StackPlan:
    return without_false_replacements(stack_plan("ServiceWeb", "service-web", {"Changes": list(changes)}, {}))


def summary(plan: StackPlan) -> dict[str, str]:
    return {c.logical_id: c.replacement for c in plan.changes}


def test_a_new_image_tag_is_two_changes() -> None:
    """The README's example: the scaling resources "may replace" only through the service's name."""
    plan = honest(TASK, SERVICE, SCALABLE_TARGET, POLICY)
    assert summary(plan) == {"TaskDefinition": "True", "Service": "False"}
    assert [c.logical_id for c in plan.unchanged] == ["ScalableTarget", "CpuScalingPolicy"]
    assert plan.changes[1].values[0].path == "TaskDefinition"  # a reference to a replaced resource stays


def test_an_attribute_not_known_to_be_fixed_still_may_replace() -> None:
    target = copy.deepcopy(SCALABLE_TARGET)
    target["ResourceChange"]["Details"][0]["CausingEntity"] = "Service.DeploymentState"
    plan = honest(TASK, SERVICE, target, POLICY)
    assert summary(plan) == {
        "TaskDefinition": "True",
        "Service": "False",
        "ScalableTarget": "Conditional",
        "CpuScalingPolicy": "Conditional",
    }
    assert plan.unchanged == []


def test_a_service_that_may_be_replaced_keeps_its_dependents_may_replace() -> None:
    service = modify(
        "Service",
        "AWS::ECS::Service",
        "Conditional",
        detail("/Properties/Cluster", "Always", "ParameterReference", "ClusterName", dynamic="yes"),
    )
    plan = honest(TASK, service, SCALABLE_TARGET, POLICY)  # no wiring given: the parameter is not proven
    assert summary(plan)["ScalableTarget"] == "Conditional"
    assert summary(plan)["CpuScalingPolicy"] == "Conditional"


def test_what_remains_decides_modify_or_replace() -> None:
    target = copy.deepcopy(SCALABLE_TARGET)
    target["ResourceChange"]["Details"].append(
        detail("/Properties/MaxCapacity", "Never", "DirectModification", BeforeValue="3", AfterValue="5")
    )
    renamed = copy.deepcopy(POLICY)
    renamed["ResourceChange"]["Replacement"] = "True"  # what CloudFormation says of Always + Static
    renamed["ResourceChange"]["Details"].append(
        detail("/Properties/PolicyName", "Always", "DirectModification", BeforeValue="a", AfterValue="b")
    )
    plan = honest(TASK, SERVICE, target, renamed)
    assert summary(plan) == {
        "TaskDefinition": "True",
        "Service": "False",
        "ScalableTarget": "False",
        "CpuScalingPolicy": "True",
    }
    modified = {c.logical_id: c for c in plan.changes}
    assert [v.path for v in modified["ScalableTarget"].values] == ["MaxCapacity"]
    assert modified["ScalableTarget"].properties == ("MaxCapacity",)
    assert modified["ScalableTarget"].reported_replacement == "Conditional"


def stack_set(output: dict[str, Any]) -> StackSet:
    root = {
        "Parameters": {"ImageTag": {"Type": "String"}},
        "Resources": {
            "Cluster": {"Type": "AWS::CloudFormation::Stack", "Properties": {"TemplateURL": "u1"}},
            "ServiceWeb": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": "u2",
                    "Parameters": {"ClusterName": {"Fn::GetAtt": ["Cluster", "Outputs.ClusterName"]}},
                },
            },
        },
    }
    cluster = {
        "Resources": {"Cluster": {"Type": "AWS::ECS::Cluster"}},
        "Outputs": {"ClusterName": {"Value": output}},
    }
    return StackSet(
        "app-prod",
        (
            Part("root", "app-prod", root),
            Part("cluster", "Cluster", cluster),
            Part("service-web", "ServiceWeb", {}),
        ),
    )


def nested_plan() -> StackPlan:
    service = modify(
        "Service",
        "AWS::ECS::Service",
        "Conditional",
        detail("/Properties/Cluster", "Always", "ParameterReference", "ClusterName", dynamic="yes"),
        detail("/Properties/DesiredCount", "Never", "DirectModification", BeforeValue="1", AfterValue="2"),
    )
    load_balancer_group = modify(
        "LoadBalancerSecurityGroup",
        "AWS::EC2::SecurityGroup",
        "False",
        detail("/Properties/SecurityGroupEgress/0/ToPort", "Never", "DirectModification", BeforeValue="1"),
    )
    tree = {
        "Changes": [
            modify("Cluster", "AWS::CloudFormation::Stack", "False"),
            modify("ServiceWeb", "AWS::CloudFormation::Stack", "False"),
        ],
        "Nested": {"Cluster": {"Changes": [load_balancer_group]}, "ServiceWeb": {"Changes": [service]}},
    }
    return stack_plan("app-prod", "root", tree, {"Cluster": "cluster", "ServiceWeb": "service-web"})


def service_change(plan: StackPlan) -> ResourceChange:
    return next(s for s in plan.walk() if s.logical_id == "ServiceWeb").changes[0]


def test_a_nested_parameter_from_an_unchanged_output_is_proven() -> None:
    wiring = stack_set({"Ref": "Cluster"})
    deployed = {part.logical_id: part.template for part in wiring.parts}
    plan = without_false_replacements(nested_plan(), wiring, deployed.get)
    service = service_change(plan)
    assert service.replacement == "False" and [v.path for v in service.values] == ["DesiredCount"]


def test_a_nested_parameter_wired_differently_than_deployed_still_may_replace() -> None:
    wiring = stack_set({"Ref": "Cluster"})
    deployed = {
        part.logical_id: part.template for part in stack_set({"Fn::GetAtt": ["Cluster", "Arn"]}).parts
    }
    plan = without_false_replacements(nested_plan(), wiring, deployed.get)
    service = service_change(plan)
    assert service.replacement == "Conditional"


def test_a_nested_parameter_is_not_proven_without_the_deployed_templates() -> None:
    plan = without_false_replacements(nested_plan(), stack_set({"Ref": "Cluster"}), lambda _: None)
    service = service_change(plan)
    assert service.replacement == "Conditional"


def test_a_nested_stack_whose_parameters_are_proven_stays_with_its_own_plan() -> None:
    tree = {
        "Changes": [
            modify(
                "ServiceWeb",
                "AWS::CloudFormation::Stack",
                "False",
                detail("/Properties/Parameters/Name", "Never", "ResourceAttribute", "Other.Outputs.Name"),
            )
        ],
        "Nested": {"ServiceWeb": {"Changes": [SERVICE]}},
    }
    plan = without_false_replacements(stack_plan("app-prod", "root", tree, {}))
    assert [c.logical_id for c in plan.changes] == ["ServiceWeb"] and plan.unchanged == []
    assert plan.changes[0].values == ()
