"""The network stack builder: VPC layout, NAT modes, endpoints, and cfn-lint on every variant."""

from __future__ import annotations

import ipaddress
import itertools

import pytest
from fgc.compiler import network
from fgc.compiler.lint import lint
from fgc.compiler.stackset import StackSet
from fgc.spec.models import Spec
from hypothesis import given
from hypothesis import strategies as st

NATS = ("none", "single", "per_az")
INTERFACE_SERVICES = {"ecr.api", "ecr.dkr", "logs", "secretsmanager", "ssm"}


def render(exec_: bool = False, **vpc) -> dict:
    service = {"image": "x:1", "exec": exec_}
    spec = Spec.model_validate({"app": "demo", "network": {"vpc": vpc}, "services": {"api": service}})
    return network.build(spec, None).template.to_dict()


def of_type(template: dict, kind: str) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if r["Type"] == f"AWS::EC2::{kind}"}


@pytest.mark.parametrize(("nat", "azs"), list(itertools.product(NATS, (2, 3, 6))))
def test_subnets_span_zones_by_index_and_never_assign_public_ips(nat: str, azs: int) -> None:
    template = render(nat=nat, azs=azs)
    subnets = of_type(template, "Subnet")
    assert sorted(subnets) == sorted([f"PublicSubnet{n}" for n in range(1, azs + 1)]
                                     + [f"PrivateSubnet{n}" for n in range(1, azs + 1)])  # fmt: skip
    for logical_id, subnet in subnets.items():
        props = subnet["Properties"]
        assert props["MapPublicIpOnLaunch"] is False, logical_id
        index = int(logical_id.removeprefix("PublicSubnet").removeprefix("PrivateSubnet")) - 1
        assert props["AvailabilityZone"] == {"Fn::Select": [index, {"Fn::GetAZs": ""}]}
    vpc = ipaddress.ip_network("10.0.0.0/16")
    blocks = [ipaddress.ip_network(s["Properties"]["CidrBlock"]) for s in subnets.values()]
    assert all(block.subnet_of(vpc) for block in blocks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))


def test_vpc_resolves_dns_and_outputs_joined_subnet_lists() -> None:
    template = render(azs=3)
    props = template["Resources"]["Vpc"]["Properties"]
    assert props | {"Tags": []} == {
        "CidrBlock": "10.0.0.0/16",
        "EnableDnsSupport": True,
        "EnableDnsHostnames": True,
        "Tags": [],
    }
    outputs = template["Outputs"]
    assert list(outputs) == ["VpcId", "VpcCidr", "PublicSubnetIds", "PrivateSubnetIds"]
    assert outputs["PrivateSubnetIds"]["Value"] == {
        "Fn::Join": [",", [{"Ref": f"PrivateSubnet{n}"} for n in (1, 2, 3)]]
    }
    assert "Parameters" not in template


def test_subnet_blocks_do_not_move_when_zones_are_added() -> None:
    public2, private2 = network.subnet_cidrs("10.0.0.0/16", 2)
    public6, private6 = network.subnet_cidrs("10.0.0.0/16", 6)
    assert public6[:2] == public2 and private6[:2] == private2
    assert private2 == ["10.0.0.0/20", "10.0.16.0/20"]
    assert public2 == ["10.0.128.0/20", "10.0.144.0/20"]
    assert network.subnet_cidrs("192.168.4.0/24", 6)[0][-1] == "192.168.4.208/28"


@given(
    base=st.integers(min_value=0, max_value=2**32 - 1),
    prefix=st.integers(min_value=16, max_value=24),
    azs=st.integers(min_value=2, max_value=6),
)
def test_subnet_carving_holds_for_any_allowed_vpc(base: int, prefix: int, azs: int) -> None:
    vpc = ipaddress.ip_network((base, prefix), strict=False)
    public, private = network.subnet_cidrs(str(vpc), azs)
    blocks = [ipaddress.ip_network(c) for c in public + private]
    assert len(blocks) == 2 * azs
    assert all(b.subnet_of(vpc) and b.prefixlen == prefix + 4 for b in blocks)
    assert not any(a.overlaps(b) for a, b in itertools.combinations(blocks, 2))
    fewer = network.subnet_cidrs(str(vpc), 2)
    assert (public[:2], private[:2]) == fewer


def test_only_the_public_route_table_reaches_the_internet_gateway() -> None:
    template = render(nat="none", azs=2)
    routes = of_type(template, "Route")
    assert list(routes) == ["PublicDefaultRoute"]
    public = routes["PublicDefaultRoute"]
    assert public["Properties"]["GatewayId"] == {"Ref": "InternetGateway"}
    assert public["DependsOn"] == "InternetGatewayAttachment"
    assert not of_type(template, "NatGateway") and not of_type(template, "EIP")


@pytest.mark.parametrize(("nat", "gateways"), [("single", 1), ("per_az", 3)])
def test_nat_routes_every_private_table(nat: str, gateways: int) -> None:
    template = render(nat=nat, azs=3)
    nats = of_type(template, "NatGateway")
    assert len(nats) == gateways == len(of_type(template, "EIP"))
    for n, gateway in enumerate(nats.values(), start=1):
        assert gateway["Properties"]["SubnetId"] == {"Ref": f"PublicSubnet{n}"}
    for n in (1, 2, 3):
        route = template["Resources"][f"PrivateDefaultRoute{n}"]["Properties"]
        assert route["RouteTableId"] == {"Ref": f"PrivateRouteTable{n}"}
        expected = n if nat == "per_az" else 1
        assert route["NatGatewayId"] == {"Ref": f"NatGateway{expected}"}


def test_endpoints_let_private_tasks_reach_aws_without_nat() -> None:
    template = render(endpoints=True, azs=2)
    endpoints = of_type(template, "VPCEndpoint")
    interface = {
        k: e["Properties"] for k, e in endpoints.items() if e["Properties"]["VpcEndpointType"] == "Interface"
    }
    services = {
        p["ServiceName"]["Fn::Sub"].removeprefix("com.amazonaws.${AWS::Region}.") for p in interface.values()
    }
    assert services == INTERFACE_SERVICES
    for props in interface.values():
        assert props["PrivateDnsEnabled"] is True
        assert props["SubnetIds"] == [{"Ref": "PrivateSubnet1"}, {"Ref": "PrivateSubnet2"}]
        assert props["SecurityGroupIds"] == [{"Ref": "EndpointSecurityGroup"}]
    s3 = endpoints["S3Endpoint"]["Properties"]
    assert s3["VpcEndpointType"] == "Gateway"
    assert s3["RouteTableIds"] == [{"Ref": "PrivateRouteTable1"}, {"Ref": "PrivateRouteTable2"}]
    group = template["Resources"]["EndpointSecurityGroup"]["Properties"]
    rules = group["SecurityGroupIngress"] + group["SecurityGroupEgress"]
    assert all(rule["Description"] for rule in rules)
    assert group["SecurityGroupIngress"] == [
        {
            "IpProtocol": "tcp",
            "FromPort": 443,
            "ToPort": 443,
            "CidrIp": {"Fn::GetAtt": ["Vpc", "CidrBlock"]},
            "Description": "HTTPS to the AWS service endpoints from the VPC",
        }
    ]


def test_ecs_exec_gets_its_endpoint_only_when_a_service_uses_it() -> None:
    assert "SsmMessagesEndpoint" not in render()["Resources"]
    endpoint = render(exec_=True)["Resources"]["SsmMessagesEndpoint"]["Properties"]
    assert endpoint["ServiceName"] == {"Fn::Sub": "com.amazonaws.${AWS::Region}.ssmmessages"}
    assert endpoint["VpcEndpointType"] == "Interface" and endpoint["PrivateDnsEnabled"] is True
    assert "SsmMessagesEndpoint" not in render(exec_=True, endpoints=False)["Resources"]


def test_no_endpoints_when_disabled() -> None:
    template = render(endpoints=False)
    assert not of_type(template, "VPCEndpoint") and not of_type(template, "SecurityGroup")


def test_same_spec_same_template() -> None:
    assert render(nat="per_az", azs=4) == render(nat="per_az", azs=4)


def test_every_variant_lints_clean(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FGC_CACHE_DIR", str(tmp_path))
    # Between them these cover every resource kind and every NAT mode.
    cases = [("none", 2, True, False), ("single", 6, False, False), ("per_az", 6, True, True)]
    variants = {
        f"network-{nat}-{azs}-{endpoints}": render(exec_, nat=nat, azs=azs, endpoints=endpoints)
        for nat, azs, endpoints, exec_ in cases
    }
    findings = lint(StackSet.of("demo", variants))
    assert [str(f) for f in findings] == []


def test_resources_carry_readable_name_tags() -> None:
    resources = render(nat="single", azs=2)["Resources"]
    names = {k: r["Properties"]["Tags"] for k, r in resources.items() if "Tags" in r["Properties"]}
    assert names["Vpc"] == [{"Key": "Name", "Value": "demo-vpc"}]
    assert names["PrivateSubnet2"] == [{"Key": "Name", "Value": "demo-private-subnet-2"}]
    assert names["S3Endpoint"] == [{"Key": "Name", "Value": "demo-s3-endpoint"}]
    assert "PrivateRouteTable1" in names and "NatGateway1" in names and "PublicDefaultRoute" not in names
