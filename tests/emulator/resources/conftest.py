"""Fixtures for the resource-model tests, on the session's emulator (tests/conftest.py).

The models run in this process (moto's backends are process-global), driven like the engine
drives them; the tests read back over HTTP through boto3, as a user of the emulator would."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

ACCOUNT = "123456789012"
REGION = "us-east-1"


@pytest.fixture(scope="module", autouse=True)
def fresh(emulator: Any) -> Any:
    """Each test module starts from an empty emulator (the session-wide one from tests/conftest.py)."""
    emulator.reset()
    return emulator


@pytest.fixture
def cfn(fresh: Any) -> Cfn:
    return Cfn()


class Cfn:
    """Drive a model the way the engine does: create / update / delete through its classmethods."""

    def __init__(self) -> None:
        self._props: dict[int, dict[str, Any]] = {}

    def model(self, resource_type: str) -> Any:
        from fgc.emulator.resources import model_for

        model = model_for(resource_type)
        assert model is not None, resource_type
        return model

    def create(self, resource_type: str, name: str, props: dict[str, Any]) -> Any:
        resource = self.model(resource_type).create_from_cloudformation_json(
            name,
            {"Type": resource_type, "Properties": props},
            ACCOUNT,
            REGION,
            LogicalId=name,
            StackId="stack",
            ResourceType=resource_type,
        )
        self._props[id(resource)] = props
        return resource

    def update(self, resource: Any, props: dict[str, Any], name: str = "renamed") -> Any:
        resource_type = resource.cloudformation_type()
        updated = self.model(resource_type).update_from_cloudformation_json(
            resource, name, {"Type": resource_type, "Properties": props}, ACCOUNT, REGION
        )
        self._props[id(updated)] = props
        return updated

    def delete(self, resource: Any) -> None:
        resource_type = resource.cloudformation_type()
        self.model(resource_type).delete_from_cloudformation_json(
            resource.physical_resource_id,
            {
                "Type": resource_type,
                "Properties": getattr(resource, "properties", self._props.get(id(resource))),
            },
            ACCOUNT,
            REGION,
        )


@pytest.fixture(scope="module")
def network(fresh: Any, aws: Callable[[str], Any], route_out: Callable[..., None]) -> dict[str, Any]:
    """A VPC with two subnets (routed out through a NAT gateway) and a security group, for
    resources that need to live in one."""
    ec2 = aws("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.9.{i}.0/24", AvailabilityZone=f"{REGION}{az}")["Subnet"][
            "SubnetId"
        ]
        for i, az in enumerate("ab")
    ]
    sg = ec2.create_security_group(GroupName="fixture", Description="fixture", VpcId=vpc)["GroupId"]
    route_out(vpc, subnets)
    return {"vpc": vpc, "subnets": subnets, "sg": sg}
