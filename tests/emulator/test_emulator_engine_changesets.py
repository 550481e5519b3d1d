"""Change sets: nested sets, Replacement / Scope / Details, empty sets, paging and refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

EMPTY = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)


def changes(change_set: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in change_set["Changes"]}


def nested_root(stacks: Any, grandchild_value: str = "1") -> dict[str, Any]:
    grandchild = {"Resources": {"Leaf": stacks.ssm("/app/leaf", grandchild_value)}}
    child = {
        "Resources": {
            "Grandchild": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": stacks.upload(grandchild)},
            }
        }
    }
    return {
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": stacks.upload(child)},
            }
        }
    }


def test_create_change_set_reviews_a_new_stack_with_nested_change_sets(stacks, aws):
    cfn = aws("cloudformation")
    root = stacks.change_set("app", nested_root(stacks))

    assert root["Status"] == "CREATE_COMPLETE" and root["ExecutionStatus"] == "AVAILABLE"
    assert cfn.describe_stacks(StackName="app")["Stacks"][0]["StackStatus"] == "REVIEW_IN_PROGRESS"
    child_change = changes(root)["Child"]
    assert child_change["Action"] == "Add"
    child = cfn.describe_change_set(ChangeSetName=child_change["ChangeSetId"])
    assert child["ParentChangeSetId"] == child["RootChangeSetId"] == root["ChangeSetId"]
    grandchild = cfn.describe_change_set(ChangeSetName=changes(child)["Grandchild"]["ChangeSetId"])
    assert grandchild["ParentChangeSetId"] == child["ChangeSetId"]
    assert grandchild["RootChangeSetId"] == root["ChangeSetId"]
    assert changes(grandchild)["Leaf"]["Action"] == "Add"

    cfn.execute_change_set(ChangeSetName=root["ChangeSetId"])
    assert stacks.wait("app")["StackStatus"] == "CREATE_COMPLETE"
    child_stack_id = stacks.nested_id("app", "Child")
    assert child_stack_id == child["StackId"]
    assert cfn.describe_change_set(ChangeSetName=root["ChangeSetId"])["ExecutionStatus"] == "EXECUTE_COMPLETE"


def test_deep_nested_change_is_a_modify_chain_without_replacement(stacks, aws):
    stacks.deploy("app", nested_root(stacks, "1"))
    cfn = aws("cloudformation")

    root = stacks.change_set("app", nested_root(stacks, "2"))

    child_change = changes(root)["Child"]
    assert (child_change["Action"], child_change["Replacement"], child_change["Scope"]) == (
        "Modify",
        "False",
        ["Properties"],
    )
    child = cfn.describe_change_set(ChangeSetName=child_change["ChangeSetId"])
    leaf = changes(cfn.describe_change_set(ChangeSetName=changes(child)["Grandchild"]["ChangeSetId"]))["Leaf"]
    assert (leaf["Action"], leaf["Replacement"]) == ("Modify", "False")
    assert leaf["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "Value", "RequiresRecreation": "Never"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
    ]


def test_replacement_true_false_and_conditional_from_create_only_properties(stacks):
    template = {
        "Parameters": {"Suffix": {"Type": "String"}},
        "Resources": {
            "Renamed": stacks.ssm({"Fn::Sub": "/app/renamed-${Suffix}"}, "v"),
            "Revalued": stacks.ssm("/app/revalued", {"Ref": "Suffix"}),
            "Follower": stacks.ssm({"Fn::Sub": "/app/follows${Renamed}"}, "v"),
            "Same": stacks.ssm("/app/same", "v"),
        },
    }
    stacks.deploy("app", template, {"Suffix": "a"})

    found = changes(stacks.change_set("app", template, {"Suffix": "b"}))

    assert sorted(found) == ["Follower", "Renamed", "Revalued"]
    assert (found["Renamed"]["Replacement"], found["Renamed"]["PolicyAction"]) == ("True", "ReplaceAndDelete")
    assert "PolicyAction" not in found["Revalued"]
    assert found["Renamed"]["Details"] == [
        {
            "Target": {"Attribute": "Properties", "Name": "Name", "RequiresRecreation": "Always"},
            "Evaluation": "Static",
            "ChangeSource": "ParameterReference",
            "CausingEntity": "Suffix",
        }
    ]
    assert found["Revalued"]["Replacement"] == "False"
    assert found["Follower"]["Replacement"] == "Conditional"
    assert found["Follower"]["Details"][0]["Evaluation"] == "Dynamic"
    assert found["Follower"]["Details"][0]["ChangeSource"] == "ResourceReference"
    assert found["Follower"]["Details"][0]["CausingEntity"] == "Renamed"


def test_removed_resource_and_policy_only_change(stacks):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "v"), "B": stacks.ssm("/app/b", "v")}})

    found = changes(
        stacks.change_set("app", {"Resources": {"A": stacks.ssm("/app/a", "v", DeletionPolicy="Retain")}})
    )

    assert (found["B"]["Action"], found["B"]["PolicyAction"]) == ("Remove", "Delete")
    assert found["B"]["PhysicalResourceId"] == "/app/b"
    assert (found["A"]["Action"], found["A"]["Scope"], found["A"]["Details"]) == (
        "Modify",
        ["DeletionPolicy"],
        [],
    )


def test_empty_change_set_fails_with_the_real_reason_and_cannot_execute(stacks, aws):
    template = nested_root(stacks)
    stacks.deploy("app", template)
    cfn = aws("cloudformation")

    empty = stacks.change_set("app", template)

    assert (empty["Status"], empty["StatusReason"], empty["ExecutionStatus"]) == (
        "FAILED",
        EMPTY,
        "UNAVAILABLE",
    )
    with pytest.raises(cfn.exceptions.InvalidChangeSetStatusException):
        cfn.execute_change_set(ChangeSetName=empty["ChangeSetId"])
    cfn.delete_change_set(ChangeSetName=empty["ChangeSetId"])
    with pytest.raises(cfn.exceptions.ChangeSetNotFoundException):
        cfn.describe_change_set(ChangeSetName=empty["ChangeSetId"])


def test_describe_change_set_pages(stacks, aws):
    template = {"Resources": {f"P{i:03}": stacks.ssm(f"/app/p{i}", "v") for i in range(130)}}
    first = stacks.change_set("app", template)
    cfn = aws("cloudformation")

    second = cfn.describe_change_set(ChangeSetName=first["ChangeSetId"], NextToken=first["NextToken"])

    assert len(first["Changes"]) == 100 and len(second["Changes"]) == 30 and "NextToken" not in second
    assert len(changes(first) | changes(second)) == 130


def test_parameters_tags_and_refusals(stacks, aws):
    cfn = aws("cloudformation")
    template = {
        "Parameters": {"Tag": {"Type": "String"}},
        "Resources": {"A": stacks.ssm("/app/a", {"Ref": "Tag"})},
    }
    with pytest.raises(cfn.exceptions.ClientError, match=r"Parameters: \[Tag\] must have values"):
        stacks.change_set("app", template)
    with pytest.raises(cfn.exceptions.ClientError, match=r"Stack \[ghost\] does not exist"):
        stacks.change_set("ghost", template, {"Tag": "v1"}, kind="UPDATE")
    role = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}}}
    with pytest.raises(cfn.exceptions.InsufficientCapabilitiesException):
        cfn.create_change_set(
            StackName="iam", ChangeSetName="c", ChangeSetType="CREATE", TemplateBody=json.dumps(role)
        )

    stacks.deploy("app", template, {"Tag": "v1"})
    with pytest.raises(cfn.exceptions.AlreadyExistsException):
        stacks.change_set("app", template, {"Tag": "v2"}, kind="CREATE")
    update = stacks.change_set("app", template, {"Tag": "v2"})
    assert update["Parameters"] == [{"ParameterKey": "Tag", "ParameterValue": "v2"}]
    cfn.execute_change_set(ChangeSetName=update["ChangeSetId"])
    stack = stacks.wait("app")
    assert stack["Parameters"] == [{"ParameterKey": "Tag", "ParameterValue": "v2"}]
    assert aws("ssm").get_parameter(Name="/app/a")["Parameter"]["Value"] == "v2"
    assert stack["ChangeSetId"] == update["ChangeSetId"]


def test_template_errors_are_refused_at_change_set_creation(stacks, aws):
    cfn = aws("cloudformation")
    cases = {
        "Template format error: Unrecognized resource types: [AWS::Made::Up]": {
            "Resources": {"X": {"Type": "AWS::Made::Up"}}
        },
        "Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template": {
            "Resources": {"A": stacks.ssm("/a", {"Ref": "Nowhere"})}
        },
        "Template format error: At least one Resources member must be defined.": {"Resources": {}},
    }
    for message, template in cases.items():
        with pytest.raises(cfn.exceptions.ClientError) as raised:
            stacks.change_set("app", template)
        assert raised.value.response["Error"]["Message"] == message


def test_update_replace_policy_retain_keeps_the_replaced_resource(stacks, aws):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/old", "v", UpdateReplacePolicy="Retain")}})

    stack = stacks.deploy(
        "app", {"Resources": {"A": stacks.ssm("/app/new", "v", UpdateReplacePolicy="Retain")}}
    )

    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert sorted(p["Name"] for p in aws("ssm").describe_parameters()["Parameters"]) == [
        "/app/new",
        "/app/old",
    ]
    assert stacks.statuses("app", "A")[-1] == "DELETE_SKIPPED"


def test_nested_stack_fed_by_a_modified_sibling_is_a_dynamic_change(stacks, aws):
    def root(producer_value: str) -> dict[str, Any]:
        producer = {
            "Resources": {"P": stacks.ssm("/app/producer", producer_value)},
            "Outputs": {"Name": {"Value": {"Ref": "P"}}},
        }
        consumer = {
            "Parameters": {"Source": {"Type": "String"}},
            "Resources": {"C": stacks.ssm("/app/consumer", {"Ref": "Source"})},
        }
        return {
            "Resources": {
                "Producer": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {"TemplateURL": stacks.upload(producer)},
                },
                "Consumer": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {
                        "TemplateURL": stacks.upload(consumer),
                        "Parameters": {"Source": {"Fn::GetAtt": ["Producer", "Outputs.Name"]}},
                    },
                },
            }
        }

    stacks.deploy("app", root("1"))
    cfn = aws("cloudformation")

    change_set = stacks.change_set("app", root("2"))

    consumer = changes(change_set)["Consumer"]
    assert consumer["Details"][0]["Evaluation"] == "Dynamic"
    assert consumer["Details"][0]["CausingEntity"] == "Producer.Outputs.Name"
    nested = cfn.describe_change_set(ChangeSetName=consumer["ChangeSetId"])
    assert nested["Parameters"][0]["ParameterValue"].startswith("{{IntrinsicFunction:")
    cfn.execute_change_set(ChangeSetName=change_set["ChangeSetId"])
    assert stacks.wait("app")["StackStatus"] == "UPDATE_COMPLETE"
    assert aws("ssm").get_parameter(Name="/app/consumer")["Parameter"]["Value"] == "/app/producer"


def test_executing_a_change_set_deletes_the_stacks_other_change_sets_nested_ones_too(stacks, aws):
    """ExecuteChangeSet (API reference): "CloudFormation deletes all other change sets associated
    with the stack because they aren't valid for the updated stack"."""
    stacks.deploy("app", nested_root(stacks, "1"))
    cfn = aws("cloudformation")
    other = stacks.change_set("app", nested_root(stacks, "2"))
    other_child = changes(other)["Child"]["ChangeSetId"]
    chosen = stacks.change_set("app", nested_root(stacks, "3"))

    cfn.execute_change_set(ChangeSetName=chosen["ChangeSetId"])
    assert stacks.wait("app")["StackStatus"] == "UPDATE_COMPLETE"

    for gone in (other["ChangeSetId"], other_child):
        with pytest.raises(cfn.exceptions.ChangeSetNotFoundException):
            cfn.describe_change_set(ChangeSetName=gone)


def test_an_update_without_a_change_set_makes_the_change_sets_obsolete(stacks, aws):
    """DescribeChangeSet, ExecutionStatus: a change set may be "in an OBSOLETE state because the stack
    was already updated"; executing it is refused."""
    stacks.deploy("app", nested_root(stacks, "1"))
    cfn = aws("cloudformation")
    planned = stacks.change_set("app", nested_root(stacks, "2"))

    cfn.update_stack(StackName="app", TemplateBody=json.dumps(nested_root(stacks, "3")))
    assert stacks.wait("app")["StackStatus"] == "UPDATE_COMPLETE"

    assert cfn.describe_change_set(ChangeSetName=planned["ChangeSetId"])["ExecutionStatus"] == "OBSOLETE"
    with pytest.raises(cfn.exceptions.InvalidChangeSetStatusException):
        cfn.execute_change_set(ChangeSetName=planned["ChangeSetId"])
