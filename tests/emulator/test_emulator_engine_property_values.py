"""DescribeChangeSet with IncludePropertyValues: one detail per changed leaf and cause, values
before and after, the resource's contexts; NoEcho values masked.

Shapes: CloudFormation API Reference, ``DescribeChangeSet`` (``IncludePropertyValues``: "If
true, the returned changes include detailed changes in the property values"),
``ResourceChange`` (``BeforeContext``, ``AfterContext``), ``ResourceChangeDetail``
(``Evaluation``, ``ChangeSource``, ``CausingEntity``) and ``ResourceTargetDefinition``
(``Path``, ``BeforeValue``, ``AfterValue``, ``AttributeChangeType``).
"""

from __future__ import annotations

import json
from typing import Any

from tests.emulator.test_emulator_engine_changesets import changes


def described(stacks: Any, change_set: dict[str, Any], values: bool = True) -> dict[str, dict[str, Any]]:
    return changes(
        stacks.cfn.describe_change_set(ChangeSetName=change_set["ChangeSetId"], IncludePropertyValues=values)
    )


def targets(change: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (
            d["Target"].get("Path"),
            d["Target"].get("BeforeValue"),
            d["Target"].get("AfterValue"),
            d["Target"]["AttributeChangeType"],
            d["Evaluation"],
            d["ChangeSource"],
            d.get("CausingEntity"),
        )
        for d in change["Details"]
    ]


#: A log group whose retention is the parameter ``Retention``; its name, read back from its ARN
#: (``arn:aws:logs:<region>:<account>:log-group:source:*``), is known only while it is unchanged.
LOGS = {
    "Type": "AWS::Logs::LogGroup",
    "Properties": {"LogGroupName": "source", "RetentionInDays": {"Ref": "Retention"}},
}
NAME_OF_SOURCE = {"Fn::Select": [6, {"Fn::Split": [":", {"Fn::GetAtt": ["Source", "Arn"]}]}]}


def test_describe_change_set_include_property_values_gives_path_before_and_after(stacks):
    def logs(retention: int, tags: list[dict[str, str]]) -> dict[str, Any]:
        properties = {"LogGroupName": "/app/logs", "RetentionInDays": retention, "Tags": tags}
        return {"Resources": {"Logs": {"Type": "AWS::Logs::LogGroup", "Properties": properties}}}

    stacks.deploy("app", logs(7, [{"Key": "team", "Value": "web"}]))

    change_set = stacks.change_set(
        "app", logs(30, [{"Key": "team", "Value": "api"}, {"Key": "env", "Value": "prod"}])
    )
    plain = described(stacks, change_set, values=False)["Logs"]
    found = described(stacks, change_set)["Logs"]

    assert all(set(d["Target"]) == {"Attribute", "Name", "RequiresRecreation"} for d in plain["Details"])
    assert "BeforeContext" not in plain and len(plain["Details"]) == 2  # one per property and cause
    assert targets(found) == [
        ("/Properties/RetentionInDays", "7", "30", "Modify", "Static", "DirectModification", None),
        ("/Properties/Tags/0/Value", "web", "api", "Modify", "Static", "DirectModification", None),
        (
            "/Properties/Tags/1",
            None,
            '{"Key":"env","Value":"prod"}',
            "Add",
            "Static",
            "DirectModification",
            None,
        ),
    ]
    assert json.loads(found["BeforeContext"])["Properties"]["RetentionInDays"] == 7
    assert json.loads(found["AfterContext"])["Properties"]["Tags"][1] == {"Key": "env", "Value": "prod"}
    assert found["Scope"] == ["Properties", "Tags"]


def test_getatt_of_a_modified_resource_is_a_dynamic_resource_attribute_and_may_replace(stacks):
    """The README's "may replace": a create-only property reads an attribute of a resource that
    is only modified; CloudFormation cannot know the value before it runs (Evaluation Dynamic)."""
    template = {
        "Parameters": {"Retention": {"Type": "Number"}},
        "Resources": {
            "Source": LOGS,
            "Follower": stacks.ssm({"Fn::Sub": ["/app/follows-${Name}", {"Name": NAME_OF_SOURCE}]}, "v"),
            "Pointer": stacks.ssm("/app/pointer", {"Ref": "Source"}),
        },
    }
    stacks.deploy("app", template, {"Retention": "7"})

    found = described(stacks, stacks.change_set("app", template, {"Retention": "30"}))

    assert sorted(found) == ["Follower", "Source"]  # a Ref to a resource only modified is known
    assert targets(found["Source"]) == [
        ("/Properties/RetentionInDays", "7", "30", "Modify", "Static", "ParameterReference", "Retention")
    ]
    assert found["Follower"]["Replacement"] == "Conditional"
    assert targets(found["Follower"]) == [
        (
            "/Properties/Name",
            "/app/follows-source",
            None,
            "Modify",
            "Dynamic",
            "ResourceAttribute",
            "Source.Arn",
        )
    ]
    after = json.loads(found["Follower"]["AfterContext"])["Properties"]
    assert after["Name"] == "{{changeSet:KNOWN_AFTER_APPLY}}"


def test_ref_to_a_replaced_resource_is_a_dynamic_resource_reference(stacks):
    template = {
        "Parameters": {"Suffix": {"Type": "String"}},
        "Resources": {
            "Renamed": stacks.ssm({"Fn::Sub": "/app/renamed-${Suffix}"}, "v"),
            "Follower": stacks.ssm("/app/follower", {"Ref": "Renamed"}),
        },
    }
    stacks.deploy("app", template, {"Suffix": "a"})

    found = described(stacks, stacks.change_set("app", template, {"Suffix": "b"}))

    assert targets(found["Renamed"]) == [
        (
            "/Properties/Name",
            "/app/renamed-a",
            "/app/renamed-b",
            "Modify",
            "Static",
            "ParameterReference",
            "Suffix",
        )
    ]
    assert targets(found["Follower"]) == [
        ("/Properties/Value", "/app/renamed-a", None, "Modify", "Dynamic", "ResourceReference", "Renamed")
    ]
    assert found["Follower"]["Replacement"] == "False"


def test_noecho_parameter_values_are_masked_in_details_and_contexts(stacks):
    template = {
        "Parameters": {"Token": {"Type": "String", "NoEcho": True}},
        "Resources": {"Secretive": stacks.ssm("/app/token", {"Fn::Sub": "t=${Token}"})},
    }
    stacks.deploy("app", template, {"Token": "first-s3cr3t"})

    change_set = stacks.change_set("app", template, {"Token": "second-s3cr3t"})
    response = stacks.cfn.describe_change_set(
        ChangeSetName=change_set["ChangeSetId"], IncludePropertyValues=True
    )
    found = changes(response)["Secretive"]

    assert targets(found) == [
        ("/Properties/Value", "****", "****", "Modify", "Static", "ParameterReference", "Token")
    ]
    assert json.loads(found["AfterContext"])["Properties"]["Value"] == "****"
    assert "s3cr3t" not in json.dumps(response, default=str)


def test_nested_change_sets_give_values_and_a_parent_attribute_is_a_dynamic_parameter(stacks):
    child: dict[str, Any] = {
        "Parameters": {"Upstream": {"Type": "String"}},
        "Resources": {
            "Copy": stacks.ssm("/app/copy", {"Ref": "Upstream"}),
            "Fixed": stacks.ssm("/app/fixed", {"Fn::Sub": "fixed-${AWS::Region}"}),
        },
    }

    def root(fixed: str) -> dict[str, Any]:
        child["Resources"]["Fixed"]["Properties"]["Value"] = fixed
        return {
            "Parameters": {"Retention": {"Type": "Number"}},
            "Resources": {
                "Source": LOGS,
                "Child": {
                    "Type": "AWS::CloudFormation::Stack",
                    "Properties": {
                        "TemplateURL": stacks.upload(child),
                        "Parameters": {"Upstream": NAME_OF_SOURCE},
                    },
                },
            },
        }

    stacks.deploy("app", root("a"), {"Retention": "7"})

    top = described(stacks, stacks.change_set("app", root("b"), {"Retention": "30"}))
    nested = described(stacks, {"ChangeSetId": top["Child"]["ChangeSetId"]})

    assert targets(nested["Fixed"]) == [
        ("/Properties/Value", "a", "b", "Modify", "Static", "DirectModification", None)
    ]
    assert targets(nested["Copy"]) == [
        ("/Properties/Value", "source", None, "Modify", "Dynamic", "ParameterReference", "Upstream")
    ]
