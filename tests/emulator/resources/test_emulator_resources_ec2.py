"""Network models: a whole VPC built, updated and torn down, read back over HTTP."""

from __future__ import annotations

import pytest

ANYWHERE = {"IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}


def test_vpc_network_lifecycle(cfn, aws):
    ec2 = aws("ec2")
    vpc = cfn.create(
        "AWS::EC2::VPC",
        "Vpc",
        {
            "CidrBlock": "10.20.0.0/16",
            "EnableDnsHostnames": True,
            "EnableDnsSupport": True,
            "Tags": [{"Key": "Name", "Value": "app"}],
        },
    )
    vpc_id = vpc.physical_resource_id
    assert vpc.get_cfn_attribute("CidrBlock") == "10.20.0.0/16"
    hostnames = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute="enableDnsHostnames")
    assert hostnames["EnableDnsHostnames"]["Value"] is True
    assert vpc.get_cfn_attribute("DefaultSecurityGroup").startswith("sg-")
    assert vpc.get_cfn_attribute("DefaultNetworkAcl").startswith("acl-")

    public = cfn.create(
        "AWS::EC2::Subnet",
        "Public",
        {
            "VpcId": vpc_id,
            "CidrBlock": "10.20.0.0/24",
            "AvailabilityZone": "us-east-1a",
            "MapPublicIpOnLaunch": True,
        },
    )
    private = cfn.create(
        "AWS::EC2::Subnet",
        "Private",
        {"VpcId": vpc_id, "CidrBlock": "10.20.1.0/24", "AvailabilityZone": "us-east-1b"},
    )
    got = {
        s["SubnetId"]: s
        for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    }
    assert got[public.physical_resource_id]["MapPublicIpOnLaunch"] is True
    assert got[private.physical_resource_id]["MapPublicIpOnLaunch"] is False
    assert public.get_cfn_attribute("AvailabilityZone") == "us-east-1a"

    igw = cfn.create("AWS::EC2::InternetGateway", "Igw", {})
    attach = cfn.create(
        "AWS::EC2::VPCGatewayAttachment",
        "Attach",
        {"VpcId": vpc_id, "InternetGatewayId": igw.physical_resource_id},
    )
    table = cfn.create("AWS::EC2::RouteTable", "Public", {"VpcId": vpc_id})
    route = cfn.create(
        "AWS::EC2::Route",
        "Default",
        {
            "RouteTableId": table.physical_resource_id,
            "DestinationCidrBlock": "0.0.0.0/0",
            "GatewayId": igw.physical_resource_id,
        },
    )
    assoc = cfn.create(
        "AWS::EC2::SubnetRouteTableAssociation",
        "Assoc",
        {"RouteTableId": table.physical_resource_id, "SubnetId": public.physical_resource_id},
    )
    eip = cfn.create("AWS::EC2::EIP", "Eip", {"Domain": "vpc"})
    nat = cfn.create(
        "AWS::EC2::NatGateway",
        "Nat",
        {"SubnetId": public.physical_resource_id, "AllocationId": eip.get_cfn_attribute("AllocationId")},
    )
    private_table = cfn.create("AWS::EC2::RouteTable", "Private", {"VpcId": vpc_id})
    nat_route = cfn.create(
        "AWS::EC2::Route",
        "Nat",
        {
            "RouteTableId": private_table.physical_resource_id,
            "DestinationCidrBlock": "0.0.0.0/0",
            "NatGatewayId": nat.physical_resource_id,
        },
    )
    s3 = cfn.create(
        "AWS::EC2::VPCEndpoint",
        "S3",
        {
            "VpcId": vpc_id,
            "ServiceName": "com.amazonaws.us-east-1.s3",
            "VpcEndpointType": "Gateway",
            "RouteTableIds": [private_table.physical_resource_id],
        },
    )
    sg = cfn.create(
        "AWS::EC2::SecurityGroup",
        "Endpoints",
        {
            "GroupDescription": "endpoints",
            "VpcId": vpc_id,
            "SecurityGroupIngress": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "10.20.0.0/16"}
            ],
        },
    )
    ecr = cfn.create(
        "AWS::EC2::VPCEndpoint",
        "EcrApi",
        {
            "VpcId": vpc_id,
            "ServiceName": "com.amazonaws.us-east-1.ecr.api",
            "VpcEndpointType": "Interface",
            "PrivateDnsEnabled": True,
            "SubnetIds": [private.physical_resource_id],
            "SecurityGroupIds": [sg.physical_resource_id],
        },
    )
    endpoints = {e["VpcEndpointId"]: e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"]}
    assert endpoints[ecr.physical_resource_id]["VpcEndpointType"] == "Interface"
    assert endpoints[ecr.physical_resource_id]["SubnetIds"] == [private.physical_resource_id]
    assert endpoints[s3.physical_resource_id]["RouteTableIds"] == [private_table.physical_resource_id]
    assert (
        ecr.get_cfn_attribute("NetworkInterfaceIds")
        == endpoints[ecr.physical_resource_id]["NetworkInterfaceIds"]
    )
    assert ecr.get_cfn_attribute("DnsEntries") and ecr.get_cfn_attribute("CreationTimestamp")

    routes = ec2.describe_route_tables(RouteTableIds=[private_table.physical_resource_id])["RouteTables"][0][
        "Routes"
    ]
    assert any(r.get("NatGatewayId") == nat.physical_resource_id for r in routes)
    assert ec2.describe_nat_gateways(NatGatewayIds=[nat.physical_resource_id])["NatGateways"][0][
        "SubnetId"
    ] == (public.physical_resource_id)

    # updates in place
    public = cfn.update(public, dict(public.properties, MapPublicIpOnLaunch=False), name="Public")
    assert not ec2.describe_subnets(SubnetIds=[public.physical_resource_id])["Subnets"][0][
        "MapPublicIpOnLaunch"
    ]
    ecr = cfn.update(
        ecr,
        dict(ecr.properties, SubnetIds=[private.physical_resource_id, public.physical_resource_id]),
        name="EcrApi",
    )
    got = ec2.describe_vpc_endpoints(VpcEndpointIds=[ecr.physical_resource_id])["VpcEndpoints"][0]
    assert sorted(got["SubnetIds"]) == sorted([private.physical_resource_id, public.physical_resource_id])

    # everything deletes, in reverse dependency order, and is gone afterwards
    for resource in (
        ecr,
        s3,
        sg,
        nat_route,
        nat,
        eip,
        private_table,
        assoc,
        route,
        table,
        attach,
        igw,
        public,
        private,
        vpc,
    ):
        cfn.delete(resource)
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []
    assert not [e for e in ec2.describe_vpc_endpoints()["VpcEndpoints"] if e["VpcId"] == vpc_id]
    assert not [
        n for n in ec2.describe_nat_gateways()["NatGateways"] if n["NatGatewayId"] == nat.physical_resource_id
    ]
    assert not [a for a in ec2.describe_addresses()["Addresses"] if a["PublicIp"] == eip.physical_resource_id]
    assert not [
        g
        for g in ec2.describe_internet_gateways()["InternetGateways"]
        if g["InternetGatewayId"] == igw.physical_resource_id
    ]


def _rules(ec2, group_id, key="IpPermissions"):
    return ec2.describe_security_groups(GroupIds=[group_id])["SecurityGroups"][0][key]


def test_security_group_rules_update_in_place_and_standalone_rules(cfn, aws, network):
    ec2 = aws("ec2")
    alb_sg = cfn.create(
        "AWS::EC2::SecurityGroup", "Alb", {"GroupDescription": "alb", "VpcId": network["vpc"]}
    )
    props = {
        "GroupDescription": "service",
        "VpcId": network["vpc"],
        "SecurityGroupEgress": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "CidrIp": "0.0.0.0/0"}],
    }
    sg = cfn.create("AWS::EC2::SecurityGroup", "Service", props)
    egress = _rules(ec2, sg.physical_resource_id, "IpPermissionsEgress")
    assert [(r["IpProtocol"], r.get("FromPort")) for r in egress] == [("tcp", 443)]

    ingress = cfn.create(
        "AWS::EC2::SecurityGroupIngress",
        "FromAlb",
        {
            "GroupId": sg.physical_resource_id,
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "SourceSecurityGroupId": alb_sg.physical_resource_id,
            "Description": "from the load balancer",
        },
    )
    egress_rule = cfn.create(
        "AWS::EC2::SecurityGroupEgress",
        "ToService",
        {
            "GroupId": alb_sg.physical_resource_id,
            "IpProtocol": "tcp",
            "FromPort": 8080,
            "ToPort": 8080,
            "DestinationSecurityGroupId": sg.physical_resource_id,
        },
    )
    assert ingress.physical_resource_id.startswith("sgr-")
    got = _rules(ec2, sg.physical_resource_id)
    assert got[0]["UserIdGroupPairs"][0]["GroupId"] == alb_sg.physical_resource_id
    assert any(
        p.get("UserIdGroupPairs") for p in _rules(ec2, alb_sg.physical_resource_id, "IpPermissionsEgress")
    )

    sg = cfn.update(
        sg,
        dict(
            props,
            SecurityGroupIngress=[
                {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "CidrIp": "10.0.0.0/8"}
            ],
        ),
        name="Service",
    )
    ports = sorted(r["FromPort"] for r in _rules(ec2, sg.physical_resource_id))
    assert ports == [22, 8080]  # the standalone rule survives the inline update
    sg = cfn.update(sg, props, name="Service")
    assert [r["FromPort"] for r in _rules(ec2, sg.physical_resource_id)] == [8080]

    cfn.delete(ingress)
    cfn.delete(egress_rule)
    assert _rules(ec2, sg.physical_resource_id) == []
    cfn.delete(sg)
    cfn.delete(alb_sg)
    with pytest.raises(ec2.exceptions.ClientError):
        ec2.describe_security_groups(GroupIds=[sg.physical_resource_id])
