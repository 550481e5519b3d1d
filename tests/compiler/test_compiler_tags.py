"""Tags: the table of taggable types agrees with CloudFormation's schemas, and tags land everywhere."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import cfnlint.data.schemas as schemas
from fgc.compiler.tags import LIST, MAP, TAG_FORMAT, apply_tags

SCHEMAS = Path(schemas.__file__).resolve().parent


@cache
def _schema(resource_type: str) -> dict:
    index = json.loads((SCHEMAS / "providers" / "us-east-1.json").read_text())
    return json.loads((SCHEMAS / "resources" / f"{index[resource_type]}.json").read_text())


def _format_in_schema(resource_type: str) -> str | None:
    schema = _schema(resource_type)
    if not (schema.get("tagging") or {}).get("taggable") or "Tags" not in schema["properties"]:
        return None
    return MAP if schema["properties"]["Tags"].get("type") == "object" else LIST


def test_tag_table_matches_the_resource_schemas() -> None:
    wrong = {t: (fmt, _format_in_schema(t)) for t, fmt in TAG_FORMAT.items() if fmt != _format_in_schema(t)}
    assert not wrong, f"table vs schema: {wrong}"


def test_every_emitted_type_is_in_the_table_and_carries_the_tags(golden_outputs) -> None:
    for case, sets in golden_outputs.items():
        for templates in sets:
            wanted = dict(templates.tags)
            for name in templates:
                for logical_id, resource in templates[name]["Resources"].items():
                    kind = resource["Type"]
                    assert kind in TAG_FORMAT, f"{case} {name}:{logical_id}: add {kind} to compiler/tags.py"
                    if TAG_FORMAT[kind] == LIST and wanted:
                        tags = {t["Key"]: t["Value"] for t in resource["Properties"]["Tags"]}
                        assert wanted.items() <= tags.items(), f"{case} {name}:{logical_id}"


def test_a_resource_keeps_its_own_tag_values() -> None:
    template = {
        "Resources": {
            "Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"Tags": [{"Key": "Name", "Value": "mine"}]}},
            "Param": {"Type": "AWS::SSM::Parameter", "Properties": {"Tags": {"team": "own"}}},
            "Route": {"Type": "AWS::EC2::Route", "Properties": {}},
        }
    }
    apply_tags(template, {"team": "platform", "Name": "spec"})
    resources = template["Resources"]
    assert resources["Vpc"]["Properties"]["Tags"] == [
        {"Key": "team", "Value": "platform"},
        {"Key": "Name", "Value": "mine"},
    ]
    assert resources["Param"]["Properties"]["Tags"] == {"Name": "spec", "team": "own"}
    assert "Tags" not in resources["Route"]["Properties"]
