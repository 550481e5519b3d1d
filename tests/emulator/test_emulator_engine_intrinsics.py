"""Intrinsic functions and conditions, evaluated without a server."""

from __future__ import annotations

from typing import Any

import pytest
from fgc.emulator.cloudformation.errors import ValidationError
from fgc.emulator.cloudformation.intrinsics import Evaluator, Unknown, references, unknowns_in

TEMPLATE = {
    "Conditions": {
        "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
        "NotProd": {"Fn::Not": [{"Condition": "IsProd"}]},
        "Both": {"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["a", "a"]}]},
    },
    "Mappings": {"Sizes": {"prod": {"Cpu": 1024}, "dev": {"Cpu": 256}}},
}


def evaluator(env: str = "dev", known: bool = True) -> Evaluator:
    def ref(name: str) -> Any:
        return f"phys-{name}" if known else Unknown(frozenset({name}))

    def getatt(name: str, attribute: str) -> Any:
        return f"{name}.{attribute}" if known else Unknown(frozenset({f"{name}.{attribute}"}))

    pseudo = {"AWS::Region": "eu-west-1", "AWS::AccountId": "123456789012", "AWS::StackName": "s"}
    return Evaluator(TEMPLATE, {"Env": env, "Subnets": ["a", "b"]}, pseudo, ref, getatt)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        (
            {"Fn::Sub": "${AWS::Region}-${Env}-${Res}-${Res.Arn}-${!Literal}"},
            "eu-west-1-dev-phys-Res-Res.Arn-${Literal}",
        ),
        ({"Fn::Sub": ["${X}/${Env}", {"X": {"Ref": "Res"}}]}, "phys-Res/dev"),
        ({"Fn::Join": [",", {"Ref": "Subnets"}]}, "a,b"),
        ({"Fn::Select": [1, {"Fn::Split": [",", "x,y,z"]}]}, "y"),
        ({"Fn::Cidr": ["10.0.0.0/16", 3, 8]}, ["10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]),
        ({"Fn::GetAZs": ""}, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
        ({"Fn::GetAZs": "us-east-1"}, [f"us-east-1{zone}" for zone in "abcdef"]),
        ({"Fn::FindInMap": ["Sizes", {"Ref": "Env"}, "Cpu"]}, 256),
        ({"Fn::If": ["IsProd", "big", "small"]}, "small"),
        ({"Fn::Base64": "hi"}, "aGk="),
        ({"A": {"Ref": "AWS::NoValue"}, "B": [1, {"Ref": "AWS::NoValue"}]}, {"B": [1]}),
        (
            {"Condition": {"StringEquals": {"k": "v"}}, "Effect": "Allow"},
            {"Condition": {"StringEquals": {"k": "v"}}, "Effect": "Allow"},
        ),
    ],
)
def test_functions(expression, expected):
    assert evaluator().resolve(expression) == expected


def test_conditions():
    dev, prod = evaluator("dev"), evaluator("prod")
    assert (dev.condition("IsProd"), dev.condition("NotProd"), dev.condition("Both")) == (False, True, False)
    assert (prod.condition("IsProd"), prod.condition("NotProd"), prod.condition("Both")) == (
        True,
        False,
        True,
    )
    assert dev.is_active({"Condition": "NotProd"}) and not dev.is_active({"Condition": "IsProd"})
    with pytest.raises(ValidationError, match="Unresolved condition dependencies"):
        dev.condition("Missing")


def test_unknown_values_propagate_with_their_sources():
    value = evaluator(known=False).resolve({"Fn::Sub": "${Res}/${Other.Arn}"})
    assert isinstance(value, Unknown)
    assert unknowns_in({"k": [value]}) == {"Res", "Other.Arn"}


def test_references_found_in_raw_templates():
    fragment = {"A": {"Ref": "P"}, "B": {"Fn::GetAtt": "R.Arn"}, "C": {"Fn::Sub": ["${X}-${Q}", {"X": "1"}]}}
    assert references(fragment) == {"P", "R", "Q"}
