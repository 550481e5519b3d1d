"""ImportExistingResources, and creating a custom name that already exists, through boto3 over HTTP.

CloudFormation User Guide, "Import AWS resources into a CloudFormation stack automatically": a resource
is imported when it has a static custom name in the template, a DeletionPolicy of Retain or
RetainExceptOnCreate, does not belong to another stack, and its type supports import. Without import,
creating a name that exists fails with the handler's "already exists" (HandlerErrorCode AlreadyExists);
a name another stack holds fails with "<name> already exists in stack <arn>".
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

LOG_GROUP = "/ecs/app-dev/api"
REPOSITORY = "flask-api"


def retained(
    log_group: Any = LOG_GROUP, repository: Any = REPOSITORY, policy: str = "Retain"
) -> dict[str, Any]:
    return {
        "Resources": {
            "Logs": {
                "Type": "AWS::Logs::LogGroup",
                "DeletionPolicy": policy,
                "UpdateReplacePolicy": "Retain",
                "Properties": {"LogGroupName": log_group, "RetentionInDays": 30},
            },
            "Repository": {
                "Type": "AWS::ECR::Repository",
                "DeletionPolicy": policy,
                "UpdateReplacePolicy": "Retain",
                "Properties": {"RepositoryName": repository, "ImageTagMutability": "IMMUTABLE"},
            },
        }
    }


def change_set(cfn: Any, stack: str, template: dict[str, Any], *, imports: bool = True) -> dict[str, Any]:
    created = cfn.create_change_set(
        StackName=stack,
        ChangeSetName=f"cs-{time.monotonic_ns()}",
        ChangeSetType="CREATE",
        TemplateBody=json.dumps(template),
        ImportExistingResources=imports,
        IncludeNestedStacks=True,
    )
    return cfn.describe_change_set(ChangeSetName=created["Id"])


def actions(described: dict[str, Any]) -> dict[str, tuple[str, str | None]]:
    return {
        c["ResourceChange"]["LogicalResourceId"]: (
            c["ResourceChange"]["Action"],
            c["ResourceChange"].get("PhysicalResourceId"),
        )
        for c in described["Changes"]
    }


def leave_behind(aws: Any) -> None:
    """What a destroyed stack leaves: a retained log group and repository, in no stack."""
    aws("logs").create_log_group(logGroupName=LOG_GROUP)
    aws("ecr").create_repository(repositoryName=REPOSITORY, imageTagMutability="IMMUTABLE")


def test_import_existing_resources_adopts_retained_names_as_import_actions(stacks, aws):
    cfn = aws("cloudformation")
    leave_behind(aws)

    described = change_set(cfn, "app-dev", retained())

    assert described["Status"] == "CREATE_COMPLETE", described.get("StatusReason")
    assert described["ImportExistingResources"] is True
    assert actions(described) == {"Logs": ("Import", LOG_GROUP), "Repository": ("Import", REPOSITORY)}
    cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert stacks.wait("app-dev")["StackStatus"] == "CREATE_COMPLETE", stacks.failures()
    assert stacks.statuses("app-dev", "Logs") == ["IMPORT_IN_PROGRESS", "IMPORT_COMPLETE"]
    resources = cfn.describe_stack_resources(StackName="app-dev")["StackResources"]
    assert {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources} == {
        "Logs": LOG_GROUP,
        "Repository": REPOSITORY,
    }
    # the same resources, not new ones: still exactly one of each
    assert [g["logGroupName"] for g in aws("logs").describe_log_groups()["logGroups"]] == [LOG_GROUP]
    assert len(aws("ecr").describe_repositories()["repositories"]) == 1


def test_import_after_destroy_then_deploy_again(stacks, aws):
    cfn = aws("cloudformation")
    described = change_set(cfn, "app-dev", retained())
    assert actions(described) == {"Logs": ("Add", None), "Repository": ("Add", None)}  # nothing to import yet
    cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert stacks.wait("app-dev")["StackStatus"] == "CREATE_COMPLETE"
    assert stacks.delete("app-dev")["StackStatus"] == "DELETE_COMPLETE"

    again = change_set(cfn, "app-dev", retained())

    assert actions(again) == {"Logs": ("Import", LOG_GROUP), "Repository": ("Import", REPOSITORY)}
    cfn.execute_change_set(ChangeSetName=again["ChangeSetId"])
    assert stacks.wait("app-dev")["StackStatus"] == "CREATE_COMPLETE", stacks.failures()


def test_retain_except_on_create_is_importable_too(stacks, aws):
    leave_behind(aws)
    described = change_set(aws("cloudformation"), "app-dev", retained(policy="RetainExceptOnCreate"))
    assert {action for action, _ in actions(described).values()} == {"Import"}


def test_not_imported_without_the_flag_and_creating_an_existing_name_fails_as_aws(stacks, aws):
    cfn = aws("cloudformation")
    leave_behind(aws)

    described = change_set(cfn, "app-dev", retained(), imports=False)

    assert actions(described) == {"Logs": ("Add", None), "Repository": ("Add", None)}
    cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert stacks.wait("app-dev")["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = {logical: reason for _, logical, reason in stacks.failures() if logical != "app-dev"}
    first = next(iter(reasons.values()))
    assert first in (
        "Resource of type 'AWS::Logs::LogGroup' with identifier "
        '\'{"/properties/LogGroupName": "/ecs/app-dev/api"}\' already exists.',
        "Resource of type 'AWS::ECR::Repository' with identifier "
        '\'{"/properties/RepositoryName": "flask-api"}\' already exists.',
    )
    # the resources that were there before are still there (a failed create deletes only what it made)
    assert aws("logs").describe_log_groups()["logGroups"][0]["logGroupName"] == LOG_GROUP
    assert aws("ecr").describe_repositories()["repositories"][0]["repositoryName"] == REPOSITORY


def test_dynamic_names_and_deletable_resources_are_not_imported(stacks, aws):
    leave_behind(aws)
    cfn = aws("cloudformation")
    dynamic = retained(log_group={"Fn::Sub": "/ecs/${AWS::StackName}/api"})
    assert actions(change_set(cfn, "app-dev", dynamic))["Logs"] == ("Add", None)
    deletable = retained(policy="Delete")
    assert {a for a, _ in actions(change_set(cfn, "app-prod", deletable)).values()} == {"Add"}


def test_a_name_another_stack_holds_is_not_imported_and_its_create_names_that_stack(stacks, aws):
    cfn = aws("cloudformation")
    first = change_set(cfn, "app-dev", retained())
    cfn.execute_change_set(ChangeSetName=first["ChangeSetId"])
    holder = stacks.wait("app-dev")
    assert holder["StackStatus"] == "CREATE_COMPLETE"

    second = change_set(cfn, "app-prod", retained())

    assert actions(second) == {"Logs": ("Add", None), "Repository": ("Add", None)}
    cfn.execute_change_set(ChangeSetName=second["ChangeSetId"])
    assert stacks.wait("app-prod")["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [reason for stack, _, reason in stacks.failures() if stack == "app-prod" and "exists" in reason]
    assert reasons and reasons[0] in (
        f"{LOG_GROUP} already exists in stack {holder['StackId']}",
        f"{REPOSITORY} already exists in stack {holder['StackId']}",
    )
    # the holder's resources are untouched by the failed stack's rollback
    assert cfn.describe_stacks(StackName="app-dev")["Stacks"][0]["StackStatus"] == "CREATE_COMPLETE"
    assert aws("logs").describe_log_groups()["logGroups"][0]["logGroupName"] == LOG_GROUP


def test_nested_stacks_import_through_the_root_change_set(stacks, aws):
    leave_behind(aws)
    root = {
        "Resources": {
            "Service": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": stacks.upload(retained())},
            }
        }
    }
    cfn = aws("cloudformation")
    described = change_set(cfn, "app-dev", root)
    nested = cfn.describe_change_set(ChangeSetName=described["Changes"][0]["ResourceChange"]["ChangeSetId"])
    assert nested["ImportExistingResources"] is True
    assert {a for a, _ in actions(nested).values()} == {"Import"}
    cfn.execute_change_set(ChangeSetName=described["ChangeSetId"])
    assert stacks.wait("app-dev")["StackStatus"] == "CREATE_COMPLETE", stacks.failures()


def test_an_update_imports_a_retained_resource_it_adds(stacks, aws):
    cfn = aws("cloudformation")
    stacks.deploy("app-dev", {"Resources": {"Param": stacks.ssm("/app/p", "1")}})
    leave_behind(aws)
    template = retained()
    template["Resources"]["Param"] = stacks.ssm("/app/p", "1")

    created = cfn.create_change_set(
        StackName="app-dev",
        ChangeSetName="adopt",
        ChangeSetType="UPDATE",
        TemplateBody=json.dumps(template),
        ImportExistingResources=True,
    )
    described = cfn.describe_change_set(ChangeSetName=created["Id"])

    assert actions(described) == {"Logs": ("Import", LOG_GROUP), "Repository": ("Import", REPOSITORY)}
    cfn.execute_change_set(ChangeSetName=created["Id"])
    assert stacks.wait("app-dev")["StackStatus"] == "UPDATE_COMPLETE", stacks.failures()
    assert stacks.statuses("app-dev", "Repository") == ["IMPORT_IN_PROGRESS", "IMPORT_COMPLETE"]


def test_describe_stack_resources_by_physical_id_names_the_stack_that_holds_it(stacks, aws):
    """API reference, DescribeStackResources: with PhysicalResourceId (and no StackName) it returns
    the resources of the stack the resource belongs to; fgc's preflight reads who holds a name."""
    cfn = aws("cloudformation")
    created = change_set(cfn, "app-dev", retained())
    cfn.execute_change_set(ChangeSetName=created["ChangeSetId"])
    assert stacks.wait("app-dev")["StackStatus"] == "CREATE_COMPLETE"

    found = cfn.describe_stack_resources(PhysicalResourceId=LOG_GROUP)["StackResources"]

    assert {r["StackName"] for r in found} == {"app-dev"}
    assert {r["PhysicalResourceId"] for r in found} == {LOG_GROUP, REPOSITORY}
    for wrong in ({}, {"StackName": "app-dev", "PhysicalResourceId": LOG_GROUP}):
        with pytest.raises(cfn.exceptions.ClientError, match="ValidationError"):
            cfn.describe_stack_resources(**wrong)
    stacks.delete("app-dev")
    with pytest.raises(cfn.exceptions.ClientError, match="does not exist"):
        cfn.describe_stack_resources(PhysicalResourceId=LOG_GROUP)  # a deleted stack holds nothing
