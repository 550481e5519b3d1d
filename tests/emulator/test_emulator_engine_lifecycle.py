"""Create, update in place and delete of nested stacks, read back over boto3."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

import pytest

CHILD = {
    "Parameters": {"Prefix": {"Type": "String"}, "Value": {"Type": "String"}},
    "Resources": {
        "Setting": {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": {"Fn::Sub": "/${Prefix}/setting"},
                "Type": "String",
                "Value": {"Ref": "Value"},
            },
        },
        "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": {"Fn::Sub": "${Prefix}-jobs"}}},
    },
    "Outputs": {
        "QueueArn": {"Value": {"Fn::GetAtt": ["Queue", "Arn"]}},
        "SettingName": {"Value": {"Ref": "Setting"}},
    },
}


def root(child_url: str) -> dict[str, Any]:
    return {
        "Parameters": {"Prefix": {"Type": "String"}, "Value": {"Type": "String", "Default": "one"}},
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": child_url,
                    "Parameters": {"Prefix": {"Ref": "Prefix"}, "Value": {"Ref": "Value"}},
                },
            },
            "QueueArnCopy": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": {"Fn::Sub": "/${Prefix}/queue-arn"},
                    "Type": "String",
                    "Value": {"Fn::GetAtt": ["Child", "Outputs.QueueArn"]},
                },
            },
        },
        "Outputs": {
            "QueueArn": {"Value": {"Fn::GetAtt": ["Child", "Outputs.QueueArn"]}},
            "SettingName": {"Value": {"Fn::GetAtt": ["Child", "Outputs.SettingName"]}},
        },
    }


def outputs(stack: dict[str, Any]) -> dict[str, str]:
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def test_nested_outputs_flow_up_after_change_set_execution(stacks, aws):
    stack = stacks.deploy("app", root(stacks.upload(CHILD)), {"Prefix": "app"})

    assert stack["StackStatus"] == "CREATE_COMPLETE"
    arn = "arn:aws:sqs:us-east-1:123456789012:app-jobs"
    assert outputs(stack) == {"QueueArn": arn, "SettingName": "/app/setting"}
    assert aws("ssm").get_parameter(Name="/app/queue-arn")["Parameter"]["Value"] == arn
    assert aws("ssm").get_parameter(Name="/app/setting")["Parameter"]["Value"] == "one"
    child = aws("cloudformation").describe_stacks(StackName=stacks.nested_id("app", "Child"))["Stacks"][0]
    assert child["ParentId"] == child["RootId"] == stack["StackId"]
    assert child["StackStatus"] == "CREATE_COMPLETE"


def test_changed_nested_template_updates_the_child_in_place(stacks, aws):
    stacks.deploy("app", root(stacks.upload(CHILD)), {"Prefix": "app"})
    child_id = stacks.nested_id("app", "Child")
    changed = {**CHILD, "Resources": {**CHILD["Resources"], "Extra": stacks.ssm("/app/extra", "x")}}

    stack = stacks.deploy("app", root(stacks.upload(changed)), {"Prefix": "app", "Value": "two"})

    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.nested_id("app", "Child") == child_id
    assert aws("ssm").get_parameter(Name="/app/setting")["Parameter"]["Value"] == "two"
    assert aws("ssm").get_parameter(Name="/app/extra")["Parameter"]["Value"] == "x"
    child_events = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in stacks.events(child_id)]
    assert ("Setting", "UPDATE_COMPLETE") in child_events
    assert ("Extra", "CREATE_COMPLETE") in child_events
    assert child_events[-1] == (child_events[-1][0], "UPDATE_COMPLETE")
    assert ("Child", "UPDATE_COMPLETE") in [
        (e["LogicalResourceId"], e["ResourceStatus"]) for e in stacks.events("app")
    ]


def test_events_are_per_resource_newest_first_with_unique_ids(stacks, aws):
    stack = stacks.deploy("app", root(stacks.upload(CHILD)), {"Prefix": "app"})
    raw = aws("cloudformation").describe_stack_events(StackName="app")["StackEvents"]

    assert len({e["EventId"] for e in raw}) == len(raw)
    stamps = [e["Timestamp"] for e in raw]
    assert stamps == sorted(stamps, reverse=True)
    assert raw[0]["LogicalResourceId"] == "app" and raw[0]["ResourceStatus"] == "CREATE_COMPLETE"
    assert stacks.statuses("app", "QueueArnCopy") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    assert stacks.statuses("app", "app") == ["REVIEW_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    completed = [
        e
        for e in raw
        if e["LogicalResourceId"] == "QueueArnCopy" and e["ResourceStatus"] == "CREATE_COMPLETE"
    ]
    assert completed[0]["PhysicalResourceId"] == "/app/queue-arn"
    child_id = stacks.nested_id("app", "Child")
    child_events = stacks.events(child_id)
    assert {e["StackId"] for e in child_events} == {child_id}
    assert stacks.statuses(child_id, "Queue") == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]
    assert stack["StackId"] not in {e["StackId"] for e in child_events}


def test_delete_removes_what_it_created_except_retained(stacks, aws):
    template = {
        "Resources": {
            "Kept": stacks.ssm("/app/kept", "v", DeletionPolicy="Retain"),
            "Gone": stacks.ssm("/app/gone", "v"),
            "Queue": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "app-q"}},
        }
    }
    stack = stacks.deploy("app", template)
    cfn = aws("cloudformation")

    cfn.delete_stack(StackName="app")
    deleted = stacks.wait(stack["StackId"])

    assert deleted["StackStatus"] == "DELETE_COMPLETE"
    names = [p["Name"] for p in aws("ssm").describe_parameters()["Parameters"]]
    assert names == ["/app/kept"]
    assert not aws("sqs").list_queues().get("QueueUrls")
    assert stacks.statuses(stack["StackId"], "Kept")[-1] == "DELETE_SKIPPED"
    try:
        cfn.describe_stacks(StackName="app")
    except cfn.exceptions.ClientError as err:
        assert err.response["Error"]["Message"] == "Stack with id app does not exist"
    else:
        raise AssertionError("a deleted stack must not be found by name")


def test_update_removes_dropped_resources_and_replaces_on_create_only_change(stacks, aws):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1"), "B": stacks.ssm("/app/b", "1")}})

    stack = stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a2", "1")}})

    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    names = sorted(p["Name"] for p in aws("ssm").describe_parameters()["Parameters"])
    assert names == ["/app/a2"]
    assert stacks.statuses("app", "app")[-3:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_COMPLETE",
    ]
    a_events = [
        (e["ResourceStatus"], e["PhysicalResourceId"])
        for e in stacks.events("app")
        if e["LogicalResourceId"] == "A"
    ]
    assert a_events[-4:] == [
        ("UPDATE_IN_PROGRESS", "/app/a"),
        ("UPDATE_COMPLETE", "/app/a2"),
        ("DELETE_IN_PROGRESS", "/app/a"),
        ("DELETE_COMPLETE", "/app/a"),
    ]


def test_reset_over_http_forgets_stacks_and_resources(stacks, aws):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1")}})

    for path in ("/_fgc/reset", "/moto-api/reset"):
        request = urllib.request.Request(f"{stacks.emulator.url}{path}", method="POST")
        with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback emulator
            assert answer.status == 200
        assert aws("cloudformation").describe_stacks()["Stacks"] == []
        assert aws("ssm").describe_parameters()["Parameters"] == []
        stacks.s3.create_bucket(Bucket="fgc-engine-tests")
        stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1")}})


def test_plain_create_and_update_stack_calls(stacks, aws):
    cfn = aws("cloudformation")
    template = {
        "Parameters": {"V": {"Type": "String"}},
        "Resources": {"A": stacks.ssm("/app/a", {"Ref": "V"})},
    }
    body = json.dumps(template)
    stack_id = cfn.create_stack(
        StackName="plain", TemplateBody=body, Parameters=[{"ParameterKey": "V", "ParameterValue": "1"}]
    )["StackId"]
    assert stacks.wait(stack_id)["StackStatus"] == "CREATE_COMPLETE"
    with pytest.raises(cfn.exceptions.ClientError, match="No updates are to be performed."):
        cfn.update_stack(
            StackName="plain",
            UsePreviousTemplate=True,
            Parameters=[{"ParameterKey": "V", "UsePreviousValue": True}],
        )

    cfn.update_stack(
        StackName="plain", TemplateBody=body, Parameters=[{"ParameterKey": "V", "ParameterValue": "2"}]
    )

    assert stacks.wait(stack_id)["StackStatus"] == "UPDATE_COMPLETE"
    assert aws("ssm").get_parameter(Name="/app/a")["Parameter"]["Value"] == "2"
    assert cfn.validate_template(TemplateBody=body)["Parameters"][0]["ParameterKey"] == "V"
    assert json.loads(json.dumps(cfn.get_template(StackName="plain")["TemplateBody"])) == template


def test_delete_follows_dependencies_even_after_an_update_reordered_them(stacks):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1")}})
    stacks.deploy(
        "app",
        {"Resources": {"A": stacks.ssm("/app/a", {"Ref": "Added"}), "Added": stacks.ssm("/app/added", "1")}},
    )

    stack_id = stacks.delete("app")["StackId"]

    deletions = [
        e["LogicalResourceId"] for e in stacks.events(stack_id) if e["ResourceStatus"] == "DELETE_COMPLETE"
    ]
    assert deletions == ["A", "Added", "app"]
