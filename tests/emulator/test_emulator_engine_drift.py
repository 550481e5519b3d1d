"""Drift detection and REVERT_DRIFT change sets on the emulator's CloudFormation engine.

A change made through a service's own API (CloudWatch Logs, EC2) is drift: DetectStackDrift,
DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts and DetectStackResourceDrift report it
property by property (PropertyDifference: ADD / REMOVE / NOT_EQUAL, API reference), and a change set
with DeploymentMode REVERT_DRIFT ("Using drift-aware change sets", User Guide) puts it back.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

RULE = {"IpProtocol": "tcp", "FromPort": 8080, "ToPort": 8080, "CidrIp": "10.0.0.0/16", "Description": "app"}


def template(retention: int = 7) -> dict[str, Any]:
    return {
        "Resources": {
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "Properties": {"LogGroupName": "/drift/app", "RetentionInDays": retention},
            },
            "Group": {
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "drift test", "SecurityGroupIngress": [RULE]},
            },
            "Param": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {"Name": "/drift/param", "Type": "String", "Value": "v"},
            },
        }
    }


def detect(cfn: Any, stack: str) -> dict[str, Any]:
    detection = cfn.detect_stack_drift(StackName=stack)["StackDriftDetectionId"]
    return cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)


def drifts(cfn: Any, stack: str, *statuses: str) -> dict[str, dict[str, Any]]:
    wanted = {"StackResourceDriftStatusFilters": list(statuses)} if statuses else {}
    found = cfn.describe_stack_resource_drifts(StackName=stack, **wanted)
    return {d["LogicalResourceId"]: d for d in found["StackResourceDrifts"]}


@pytest.fixture
def drifted(stacks: Any, aws: Any) -> tuple[Any, str]:
    """A deployed stack whose log group retention and security group rules were changed outside it."""
    stacks.deploy("drifty", template())
    resources = {
        r["LogicalResourceId"]: r["PhysicalResourceId"]
        for r in aws("cloudformation").list_stack_resources(StackName="drifty")["StackResourceSummaries"]
    }
    aws("logs").put_retention_policy(logGroupName="/drift/app", retentionInDays=30)
    ec2 = aws("ec2")
    ec2.authorize_security_group_ingress(
        GroupId=resources["Group"],
        IpPermissions=[
            {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}
        ],
    )
    ec2.revoke_security_group_ingress(
        GroupId=resources["Group"],
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "app"}],
            }
        ],
    )
    return aws("cloudformation"), "drifty"


def test_a_fresh_stack_is_in_sync_and_unsupported_types_are_not_checked(stacks: Any, aws: Any) -> None:
    assert stacks.deploy("calm", template())["StackStatus"] == "CREATE_COMPLETE", stacks.failures()
    cfn = aws("cloudformation")
    status = detect(cfn, "calm")
    assert (status["DetectionStatus"], status["StackDriftStatus"], status["DriftedStackResourceCount"]) == (
        "DETECTION_COMPLETE",
        "IN_SYNC",
        0,
    )
    found = drifts(cfn, "calm")
    assert {k: d["StackResourceDriftStatus"] for k, d in found.items()} == {
        "Logs": "IN_SYNC",
        "Group": "IN_SYNC",
        "Param": "NOT_CHECKED",  # its model reads nothing back
    }
    assert (
        cfn.describe_stacks(StackName="calm")["Stacks"][0]["DriftInformation"]["StackDriftStatus"]
        == "IN_SYNC"
    )


def test_changes_through_the_services_apis_are_drift_property_by_property(drifted: Any) -> None:
    cfn, stack = drifted
    status = detect(cfn, stack)
    assert (status["StackDriftStatus"], status["DriftedStackResourceCount"]) == ("DRIFTED", 2)

    found = drifts(cfn, stack, "MODIFIED")
    assert set(found) == {"Logs", "Group"}
    assert found["Logs"]["PropertyDifferences"] == [
        {
            "PropertyPath": "/RetentionInDays",
            "ExpectedValue": "7",
            "ActualValue": "30",
            "DifferenceType": "NOT_EQUAL",
        }
    ]
    kinds = {(d["PropertyPath"], d["DifferenceType"]) for d in found["Group"]["PropertyDifferences"]}
    assert kinds == {("/SecurityGroupIngress/0", "REMOVE"), ("/SecurityGroupIngress/0", "ADD")}
    added = next(d for d in found["Group"]["PropertyDifferences"] if d["DifferenceType"] == "ADD")
    assert json.loads(added["ActualValue"])["FromPort"] == "22"
    assert json.loads(found["Logs"]["ActualProperties"])["RetentionInDays"] == 30

    one = cfn.detect_stack_resource_drift(StackName=stack, LogicalResourceId="Logs")["StackResourceDrift"]
    assert one["StackResourceDriftStatus"] == "MODIFIED"


def test_a_revert_drift_change_set_shows_and_puts_back_the_drifted_properties(
    drifted: Any, stacks: Any, aws: Any
) -> None:
    cfn, stack = drifted
    with pytest.raises(cfn.exceptions.ClientError, match="No updates are to be performed"):
        cfn.update_stack(StackName=stack, TemplateBody=json.dumps(template()))  # a plain update sees none
    created = cfn.create_change_set(
        StackName=stack,
        ChangeSetName="revert",
        TemplateBody=json.dumps(template()),
        ChangeSetType="UPDATE",
        DeploymentMode="REVERT_DRIFT",
    )
    # the values (BeforeValue, AfterValue) only when asked: DescribeChangeSet IncludePropertyValues
    described = cfn.describe_change_set(ChangeSetName=created["Id"], IncludePropertyValues=True)
    assert described["Status"] == "CREATE_COMPLETE" and described["DeploymentMode"] == "REVERT_DRIFT"
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert set(changes) == {"Logs", "Group"}
    logs = changes["Logs"]
    assert (logs["Action"], logs["Replacement"], logs["ResourceDriftStatus"]) == (
        "Modify",
        "False",
        "MODIFIED",
    )
    target = logs["Details"][0]["Target"]
    assert (target["Name"], target["BeforeValue"], target["AfterValue"], target["BeforeValueFrom"]) == (
        "RetentionInDays",
        "30",
        "7",
        "ACTUAL_STATE",
    )
    assert {d["Target"]["AttributeChangeType"] for d in changes["Group"]["Details"]} == {"Add", "Remove"}

    cfn.execute_change_set(ChangeSetName=created["Id"])
    assert stacks.wait(stack)["StackStatus"] == "UPDATE_COMPLETE"
    assert detect(cfn, stack)["StackDriftStatus"] == "IN_SYNC"
    group = aws("logs").describe_log_groups(logGroupNamePrefix="/drift/app")["logGroups"][0]
    assert group["retentionInDays"] == 7


def test_repository_settings_changed_through_ecr_are_drift(stacks: Any, aws: Any) -> None:
    repository = {
        "Type": "AWS::ECR::Repository",
        "Properties": {
            "RepositoryName": "drift-repo",
            "ImageTagMutability": "IMMUTABLE",
            "ImageScanningConfiguration": {"ScanOnPush": True},
        },
    }
    assert stacks.deploy("repo", {"Resources": {"Repo": repository}})["StackStatus"] == "CREATE_COMPLETE"
    ecr, cfn = aws("ecr"), aws("cloudformation")
    ecr.put_image_tag_mutability(repositoryName="drift-repo", imageTagMutability="MUTABLE")
    ecr.put_image_scanning_configuration(
        repositoryName="drift-repo", imageScanningConfiguration={"scanOnPush": False}
    )

    assert detect(cfn, "repo")["StackDriftStatus"] == "DRIFTED"
    found = drifts(cfn, "repo")["Repo"]["PropertyDifferences"]
    assert {(d["PropertyPath"], d["ExpectedValue"], d["ActualValue"]) for d in found} == {
        ("/ImageTagMutability", "IMMUTABLE", "MUTABLE"),
        ("/ImageScanningConfiguration/ScanOnPush", "true", "false"),
    }
