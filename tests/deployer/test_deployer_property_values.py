"""Property values of described change sets, folded to leaves, secrets masked.

Shapes follow the CloudFormation API Reference: ``ResourceChange`` (``Details``,
``BeforeContext``, ``AfterContext``) and ``ResourceTargetDefinition`` (``Path``,
``BeforeValue``, ``AfterValue``, ``AttributeChangeType``), as ``DescribeChangeSet`` returns
them with ``IncludePropertyValues``.
"""

from __future__ import annotations

import json
from typing import Any

from fgc.deployer.plan import Cause, parameter_changes, resource_change
from fgc.deployer.property_values import display_path


def detail(path: str, before: str | None, after: str | None, **more: Any) -> dict[str, Any]:
    target: dict[str, Any] = {
        "Attribute": "Properties",
        "Name": path.split("/")[2],
        "RequiresRecreation": more.pop("recreation", "Never"),
        "Path": path,
        "AttributeChangeType": "Add" if before is None else "Remove" if after is None else "Modify",
    }
    if before is not None:
        target["BeforeValue"] = before
    if after is not None:
        target["AfterValue"] = after
    return {"Target": target, "Evaluation": "Static", "ChangeSource": "DirectModification", **more}


def change(*details: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {
        "Action": "Modify",
        "LogicalResourceId": "TaskDefinition",
        "ResourceType": "AWS::ECS::TaskDefinition",
        "Replacement": "True",
        "Details": list(details),
        **more,
    }


def test_display_path_of_a_json_pointer() -> None:
    assert display_path("/Properties/ContainerDefinitions/0/Image") == "ContainerDefinitions[0].Image"
    assert display_path("/Properties/Cpu") == "Cpu"
    assert display_path("/Properties/Tags/1/Value") == "Tags[1].Value"
    assert display_path("/Properties/Policy~1Doc") == "Policy/Doc"


def test_a_json_value_is_folded_to_the_leaf_that_changed() -> None:
    before = [{"Name": "api", "Image": "repo/flask-api:v1.0.0", "Cpu": 256}]
    after = [{"Name": "api", "Image": "repo/flask-api:v1.1.0", "Cpu": 256}]
    raw = change(
        detail(
            "/Properties/ContainerDefinitions",
            json.dumps(before),
            json.dumps(after),
            recreation="Always",
            ChangeSource="ParameterReference",
            CausingEntity="ApiImageTag",
        )
    )
    (value,) = resource_change(raw).values
    assert (value.path, value.before, value.after) == (
        "ContainerDefinitions[0].Image",
        "repo/flask-api:v1.0.0",
        "repo/flask-api:v1.1.0",
    )
    assert value.requires_recreation == "Always"
    assert value.causes == (Cause("ParameterReference", "ApiImageTag", "Static"),)


def test_list_elements_added_and_removed_by_index() -> None:
    raw = change(
        detail(
            "/Properties/ContainerDefinitions/0/Environment",
            json.dumps([{"Name": "A", "Value": "1"}]),
            json.dumps([{"Name": "A", "Value": "2"}, {"Name": "B", "Value": "3"}]),
        )
    )
    found = {v.path: (v.before, v.after, v.change_type) for v in resource_change(raw).values}
    assert found == {
        "ContainerDefinitions[0].Environment[0].Value": ("1", "2", "Modify"),
        "ContainerDefinitions[0].Environment[1].Name": (None, "B", "Add"),
        "ContainerDefinitions[0].Environment[1].Value": (None, "3", "Add"),
    }


def test_secrets_inside_a_value_added_whole_or_known_only_later_are_masked() -> None:
    added = detail(
        "/Properties/ContainerDefinitions/0/Environment/1",
        None,
        json.dumps({"Name": "DB_PASSWORD", "Value": "hunter2"}),
    )
    unknown = detail(
        "/Properties/ContainerDefinitions/1",
        json.dumps({"Image": "a", "Environment": [{"Name": "API_TOKEN", "Value": "hunter3"}]}),
        None,
    )
    unknown.update(Evaluation="Dynamic", ChangeSource="ResourceAttribute", CausingEntity="Repo.RepositoryUri")
    unknown["Target"]["AttributeChangeType"] = "Modify"
    values = {v.path: (v.before, v.after) for v in resource_change(change(added, unknown)).values}
    assert values["ContainerDefinitions[0].Environment[1].Value"] == (None, "****")
    assert values["ContainerDefinitions[0].Environment[1].Name"] == (None, "DB_PASSWORD")
    before = json.loads(values["ContainerDefinitions[1]"][0] or "")
    assert before["Environment"][0] == {"Name": "API_TOKEN", "Value": "****"}
    assert "hunter" not in repr(values)


def test_causes_of_one_path_are_merged() -> None:
    raw = change(
        detail("/Properties/Cpu", "512", "1024"),
        detail("/Properties/Cpu", "512", "1024", ChangeSource="ParameterReference", CausingEntity="Size"),
    )
    (value,) = resource_change(raw).values
    assert (value.path, value.before, value.after) == ("Cpu", "512", "1024")
    assert [c.source for c in value.causes] == ["DirectModification", "ParameterReference"]


def test_a_dynamic_value_is_known_only_after_the_deploy() -> None:
    dynamic = detail("/Properties/TaskDefinition", "arn:aws:ecs:...:task-definition/api:1", None)
    dynamic.update(Evaluation="Dynamic", ChangeSource="ResourceReference", CausingEntity="TaskDefinition")
    dynamic["Target"]["AttributeChangeType"] = "Modify"
    (value,) = resource_change(change(dynamic)).values
    assert value.after is None and not value.after_known and value.change_type == "Modify"


def test_secrets_are_never_held() -> None:
    environment = [{"Name": "DB_PASSWORD", "Value": "hunter2"}, {"Name": "MODE", "Value": "a"}]
    changed = [{"Name": "DB_PASSWORD", "Value": "hunter3"}, {"Name": "MODE", "Value": "b"}]
    raw = change(
        detail(
            "/Properties/ContainerDefinitions/0/Environment", json.dumps(environment), json.dumps(changed)
        ),
        detail("/Properties/MasterUserPassword", "old-secret", "new-secret"),
        detail("/Properties/ContainerDefinitions/1/Environment/0/Value", "tok-1", "tok-2"),
        detail(
            "/Properties/ContainerDefinitions/2/Secrets/0/ValueFrom", "arn:...:secret:a", "arn:...:secret:b"
        ),
        detail("/Properties/Password", "****", "****"),
        AfterContext=json.dumps(
            {
                "Properties": {
                    "ContainerDefinitions": [{}, {"Environment": [{"Name": "API_TOKEN", "Value": "tok-2"}]}]
                }
            }
        ),
    )
    values = {v.path: (v.before, v.after) for v in resource_change(raw).values}
    assert values["ContainerDefinitions[0].Environment[0].Value"] == ("****", "****")
    assert values["ContainerDefinitions[0].Environment[1].Value"] == ("a", "b")
    assert values["MasterUserPassword"] == ("****", "****")
    assert values["ContainerDefinitions[1].Environment[0].Value"] == ("****", "****")
    # a reference to a secret is not a secret
    assert values["ContainerDefinitions[2].Secrets[0].ValueFrom"] == ("arn:...:secret:a", "arn:...:secret:b")
    assert "hunter" not in repr(values) and 'secret"' not in repr(values) and "tok-" not in repr(values)


def test_a_parameter_cloudformation_masks_stays_masked() -> None:
    described = {
        "Parameters": [
            {"ParameterKey": "DbPassword", "ParameterValue": "****"},
            {"ParameterKey": "ApiImageTag", "ParameterValue": "v2"},
        ]
    }
    changes = parameter_changes(
        {"DbPassword": "****", "ApiImageTag": "v1"}, {"DbPassword": "plain", "ApiImageTag": "v2"}, described
    )
    assert [(p.name, p.old, p.new) for p in changes] == [
        ("DbPassword", "****", "****"),
        ("ApiImageTag", "v1", "v2"),
    ]


def test_without_property_values_a_change_has_names_only() -> None:
    raw = change(
        {
            "Target": {"Attribute": "Properties", "Name": "Cpu", "RequiresRecreation": "Always"},
            "Evaluation": "Static",
            "ChangeSource": "DirectModification",
        }
    )
    found = resource_change(raw)
    assert found.properties == ("Cpu",) and found.values == ()
