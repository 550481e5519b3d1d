"""The VPC pieces the network and service stacks create, on moto's EC2 backend.

moto models most of these but cannot delete half of them (internet gateway, attachment,
route table, route, association, NAT gateway, EIP, endpoint), cannot update any in place, drops
``MapPublicIpOnLaunch`` and has no ``SecurityGroupEgress``; these handles do all of that."""

from __future__ import annotations

import json
from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.ec2.models import ec2_backends

from .base import Resource, ResourceError, as_bool, tags_dict


def _backend(account_id: str, region_name: str) -> Any:
    return ec2_backends[account_id][region_name]


class Ec2Resource(Resource):
    """Every EC2 resource here is tagged the same way; unless a model says otherwise, tags are all
    an update changes (the types without Tags have only create-only properties)."""

    @property
    def ec2(self) -> Any:
        return _backend(self.account_id, self.region_name)

    def _tag(self, props: dict[str, Any], resource_id: str | None = None) -> None:
        tags = tags_dict(props)
        if tags:
            self.ec2.create_tags([resource_id or self.physical_id], tags)

    def _update(self, props: dict[str, Any]) -> None:
        self._tag(props)


class Vpc(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::VPC"
    CREATE_ONLY = ("CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId", "Ipv4NetmaskLength")
    ATTRIBUTES = {
        "VpcId": "physical_id",
        "CidrBlock": "cidr_block",
        "DefaultSecurityGroup": "default_security_group",
        "DefaultNetworkAcl": "default_network_acl",
    }

    @property
    def cidr_block(self) -> str:
        return self.ec2.get_vpc(self.physical_id).cidr_block

    @property
    def default_security_group(self) -> str:
        return self.ec2.get_security_group_from_name("default", vpc_id=self.physical_id).id

    @property
    def default_network_acl(self) -> str:
        acls = self.ec2.describe_network_acls(filters={"vpc-id": [self.physical_id], "default": ["true"]})
        return acls[0].id

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        vpc = _backend(account_id, region_name).create_vpc(
            props["CidrBlock"], instance_tenancy=props.get("InstanceTenancy", "default")
        )
        return cls._configured(vpc.id, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        for prop, attr in (
            ("EnableDnsSupport", "enable_dns_support"),
            ("EnableDnsHostnames", "enable_dns_hostnames"),
        ):
            default = prop == "EnableDnsSupport"
            self.ec2.modify_vpc_attribute(self.physical_id, attr, as_bool(props.get(prop, default)))
        self._tag(props)

    def _delete(self) -> None:
        if self.physical_id in self.ec2.vpcs:
            self.ec2.delete_vpc(self.physical_id)


class Subnet(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::Subnet"
    CREATE_ONLY = ("AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "VpcId")
    ATTRIBUTES = {
        "SubnetId": "physical_id",
        "AvailabilityZone": "availability_zone",
        "CidrBlock": "cidr_block",
        "VpcId": "vpc_id",
    }

    @property
    def _subnet(self) -> Any:
        return self.ec2.get_subnet(self.physical_id)

    @property
    def availability_zone(self) -> str:
        return self._subnet.availability_zone

    @property
    def cidr_block(self) -> str:
        return self._subnet.cidr_block

    @property
    def vpc_id(self) -> str:
        return self._subnet.vpc_id

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        subnet = _backend(account_id, region_name).create_subnet(
            vpc_id=props["VpcId"],
            cidr_block=props["CidrBlock"],
            availability_zone=props.get("AvailabilityZone"),
            availability_zone_id=props.get("AvailabilityZoneId"),
        )
        return cls._configured(subnet.id, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        public = as_bool(props.get("MapPublicIpOnLaunch", False))
        self.ec2.modify_subnet_attribute(self.physical_id, "map_public_ip_on_launch", public)
        self._tag(props)

    def _delete(self) -> None:
        if any(self.physical_id in subnets for subnets in self.ec2.subnets.values()):
            self.ec2.delete_subnet(self.physical_id)


class InternetGateway(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::InternetGateway"
    ATTRIBUTES = {"InternetGatewayId": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        igw = _backend(account_id, region_name).create_internet_gateway()
        return cls._configured(igw.id, props, account_id, region_name)

    def _delete(self) -> None:
        if self.physical_id in self.ec2.internet_gateways:
            self.ec2.delete_internet_gateway(self.physical_id)


class GatewayAttachment(Ec2Resource, CloudFormationModel):
    """Attaches an internet gateway; Ref is a synthetic ``IGW|vpc-id`` id as in CloudFormation."""

    TYPE = "AWS::EC2::VPCGatewayAttachment"
    CREATE_ONLY = ("InternetGatewayId", "VpcId", "VpnGatewayId")

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        if not props.get("InternetGatewayId"):
            raise ResourceError("Only internet gateway attachments are supported by the emulator")
        _backend(account_id, region_name).attach_internet_gateway(props["InternetGatewayId"], props["VpcId"])
        return cls(f"IGW|{props['VpcId']}", props, account_id, region_name)

    def _delete(self) -> None:
        igw = self.ec2.internet_gateways.get(self.properties["InternetGatewayId"])
        if igw is not None and igw.vpc is not None and igw.vpc.id == self.properties["VpcId"]:
            self.ec2.detach_internet_gateway(igw.id, self.properties["VpcId"])


class RouteTable(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::RouteTable"
    CREATE_ONLY = ("VpcId",)
    ATTRIBUTES = {"RouteTableId": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        table = _backend(account_id, region_name).create_route_table(props["VpcId"])
        return cls._configured(table.id, props, account_id, region_name)

    def _delete(self) -> None:
        if self.physical_id in self.ec2.route_tables:
            self.ec2.delete_route_table(self.physical_id)


class Route(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::Route"
    CREATE_ONLY = (
        "RouteTableId",
        "DestinationCidrBlock",
        "DestinationIpv6CidrBlock",
        "DestinationPrefixListId",
    )

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        destination = props.get("DestinationCidrBlock")
        if not destination:
            raise ResourceError("Properties validation failed: DestinationCidrBlock is required")
        handle = cls(f"{props['RouteTableId']}|{destination}", props, account_id, region_name)
        handle.ec2.create_route(props["RouteTableId"], destination, **_route_targets(props))
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        self.ec2.replace_route(props["RouteTableId"], props["DestinationCidrBlock"], **_route_targets(props))

    def _delete(self) -> None:
        table = self.ec2.route_tables.get(self.properties["RouteTableId"])
        destination = self.properties["DestinationCidrBlock"]
        if table is not None and any(r.destination_cidr_block == destination for r in table.routes):
            self.ec2.delete_route(table.id, destination)


def _route_targets(props: dict[str, Any]) -> dict[str, Any]:
    names = {
        "GatewayId": "gateway_id",
        "NatGatewayId": "nat_gateway_id",
        "InstanceId": "instance_id",
        "TransitGatewayId": "transit_gateway_id",
        "VpcEndpointId": "vpc_endpoint_id",
        "VpcPeeringConnectionId": "vpc_peering_connection_id",
    }
    return {arg: props[prop] for prop, arg in names.items() if props.get(prop)}


class SubnetRouteTableAssociation(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::SubnetRouteTableAssociation"
    CREATE_ONLY = ("RouteTableId", "SubnetId")
    ATTRIBUTES = {"Id": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        association = _backend(account_id, region_name).associate_route_table(
            props["RouteTableId"], subnet_id=props["SubnetId"]
        )
        return cls(association, props, account_id, region_name)

    def _delete(self) -> None:
        table = self.ec2.route_tables.get(self.properties["RouteTableId"])
        if table is not None and self.physical_id in table._associations:
            self.ec2.disassociate_route_table(self.physical_id)


_ALLOW_ALL = ({"CidrIp": "0.0.0.0/0"}, {"CidrIpv6": "::/0"})


def _rule_args(rule: dict[str, Any], egress: bool) -> dict[str, Any]:
    """One CloudFormation ingress/egress rule as moto's authorize/revoke keyword arguments."""
    protocol = str(rule.get("IpProtocol", "-1"))
    described = {"Description": rule["Description"]} if rule.get("Description") else {}
    ip_ranges = [{"CidrIp": rule["CidrIp"], **described}] if rule.get("CidrIp") else []
    ip_ranges += [{"CidrIpv6": rule["CidrIpv6"], **described}] if rule.get("CidrIpv6") else []
    group = rule.get("DestinationSecurityGroupId" if egress else "SourceSecurityGroupId")
    ports = (None, None) if protocol == "-1" else (rule.get("FromPort"), rule.get("ToPort"))
    return {
        "ip_protocol": protocol,
        "from_port": None if ports[0] is None else str(ports[0]),
        "to_port": None if ports[1] is None else str(ports[1]),
        "ip_ranges": ip_ranges,
        "source_groups": [{"GroupId": group, **described}] if group else [],
        "prefix_list_ids": [{"PrefixListId": rule["DestinationPrefixListId"]}]
        if rule.get("DestinationPrefixListId")
        else [],
    }


def _rule_props(rule: Any, egress: bool) -> dict[str, Any]:
    """One of moto's rules as the CloudFormation ingress/egress rule that makes it (``_rule_args`` back)."""
    props: dict[str, Any] = {"IpProtocol": rule.ip_protocol}
    if rule.from_port is not None:
        props.update(FromPort=rule.from_port, ToPort=rule.to_port)
    for key in ("CidrIp", "CidrIpv6"):
        if rule.ip_range.get(key):
            props[key] = rule.ip_range[key]
    if rule.source_group.get("GroupId"):
        props["DestinationSecurityGroupId" if egress else "SourceSecurityGroupId"] = rule.source_group[
            "GroupId"
        ]
    if rule.prefix_list_id:
        props["DestinationPrefixListId"] = rule.prefix_list_id
    description = rule.ip_range.get("Description") or rule.source_group.get("Description")
    if description:
        props["Description"] = description
    return props


def _authorize(ec2: Any, group_id: str, rule: dict[str, Any], egress: bool) -> list[Any]:
    action = ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
    rules, _ = action(group_id, **_rule_args(rule, egress))
    return rules


def _revoke(ec2: Any, group_id: str, rule: dict[str, Any], egress: bool) -> None:
    """Revoke one rule. A rule whose peer group is already gone (replaced and deleted earlier in
    the same deployment) cannot be matched by moto's revoke; drop it directly instead."""
    action = ec2.revoke_security_group_egress if egress else ec2.revoke_security_group_ingress
    args = _rule_args(rule, egress)
    peer = args["source_groups"][0]["GroupId"] if args["source_groups"] else None
    if peer is None or ec2.get_security_group_from_id(peer) is not None:
        action(group_id, **args)
        return
    group = ec2.get_security_group_from_id(group_id)
    attribute = "egress_rules" if egress else "ingress_rules"
    kept = [r for r in getattr(group, attribute) if r.source_group.get("GroupId") != peer]
    setattr(group, attribute, kept)


class SecurityGroup(Ec2Resource, CloudFormationModel):
    """Ref is the group id. Inline rules are updated in place by difference, leaving rules
    added by separate SecurityGroupIngress/Egress resources alone."""

    TYPE = "AWS::EC2::SecurityGroup"
    NAME_PROPERTY = "GroupName"
    CREATE_ONLY = ("GroupDescription", "GroupName", "VpcId")
    ATTRIBUTES = {"GroupId": "physical_id", "VpcId": "vpc_id"}

    @property
    def vpc_id(self) -> str:
        return self.properties.get("VpcId", "")

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        if not props.get("GroupDescription"):
            raise ResourceError("Properties validation failed: GroupDescription is required")
        group = _backend(account_id, region_name).create_security_group(
            name, props["GroupDescription"], vpc_id=props.get("VpcId")
        )
        handle = cls(group.id, props, account_id, region_name)
        if props.get("SecurityGroupEgress"):
            # Explicit egress rules replace the default allow-all rule, as in AWS.
            group.egress_rules = [
                r for r in group.egress_rules if not (r.ip_protocol == "-1" and r.ip_range in _ALLOW_ALL)
            ]
        handle._sync_rules({}, props)
        handle._tag(props)
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        self._sync_rules(self.properties, props)
        self._tag(props)

    def live(self) -> dict[str, Any] | None:
        group = self.ec2.get_security_group_from_id(self.physical_id)
        if group is None:
            return None
        return {
            "SecurityGroupIngress": [_rule_props(rule, egress=False) for rule in group.ingress_rules],
            "SecurityGroupEgress": [_rule_props(rule, egress=True) for rule in group.egress_rules],
        }

    def revert(self, props: dict[str, Any]) -> None:
        """Rules are synced by difference: from the live ones here, so a rule added or revoked
        outside CloudFormation is revoked or added back."""
        self._sync_rules(self.live() or {}, props)
        self._tag(props)
        self.properties = dict(props)

    def _sync_rules(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        for key, egress in (("SecurityGroupIngress", False), ("SecurityGroupEgress", True)):
            before, after = old.get(key) or [], new.get(key) or []
            for rule in before:
                if rule not in after:
                    _revoke(self.ec2, self.physical_id, rule, egress)
            for rule in after:
                if rule not in before:
                    _authorize(self.ec2, self.physical_id, rule, egress)

    def _delete(self) -> None:
        if self.ec2.get_security_group_from_id(self.physical_id) is not None:
            self.ec2.delete_security_group(group_id=self.physical_id)


class _SecurityGroupRule(Ec2Resource):
    """One standalone ingress or egress rule; Ref is the rule id (sgr-...)."""

    EGRESS = False
    CREATE_ONLY = (
        "GroupId",
        "IpProtocol",
        "FromPort",
        "ToPort",
        "CidrIp",
        "CidrIpv6",
        "SourceSecurityGroupId",
        "DestinationSecurityGroupId",
        "DestinationPrefixListId",
    )

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        if not props.get("GroupId"):
            raise ResourceError("Properties validation failed: GroupId is required")
        rules = _authorize(_backend(account_id, region_name), props["GroupId"], props, cls.EGRESS)
        return cls(rules[0].id, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        group = self.ec2.get_security_group_from_id(props["GroupId"])
        for rule in group.egress_rules if self.EGRESS else group.ingress_rules:
            if rule.id == self.physical_id and rule.ip_range:
                rule.ip_range["Description"] = props.get("Description")

    def _delete(self) -> None:
        group = self.ec2.get_security_group_from_id(self.properties["GroupId"])
        rules = (group.egress_rules if self.EGRESS else group.ingress_rules) if group else []
        if any(rule.id == self.physical_id for rule in rules):
            _revoke(self.ec2, group.id, self.properties, self.EGRESS)


class SecurityGroupIngress(_SecurityGroupRule, CloudFormationModel):
    TYPE = "AWS::EC2::SecurityGroupIngress"


class SecurityGroupEgress(_SecurityGroupRule, CloudFormationModel):
    TYPE = "AWS::EC2::SecurityGroupEgress"
    EGRESS = True


class Eip(Ec2Resource, CloudFormationModel):
    """Ref is the public IP, as in CloudFormation."""

    TYPE = "AWS::EC2::EIP"
    CREATE_ONLY = ("Domain", "NetworkBorderGroup")
    ATTRIBUTES = {"AllocationId": "allocation_id", "PublicIp": "physical_id"}

    @property
    def allocation_id(self) -> str:
        return self.ec2.address_by_ip([self.physical_id])[0].allocation_id

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        address = _backend(account_id, region_name).allocate_address(domain=props.get("Domain", "vpc"))
        return cls._configured(address.public_ip, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        self._tag(props, self.allocation_id)

    def _delete(self) -> None:
        if any(a.public_ip == self.physical_id for a in self.ec2.addresses):
            self.ec2.release_address(address=self.physical_id)


class NatGateway(Ec2Resource, CloudFormationModel):
    TYPE = "AWS::EC2::NatGateway"
    CREATE_ONLY = ("AllocationId", "ConnectivityType", "SubnetId", "PrivateIpAddress")
    ATTRIBUTES = {"NatGatewayId": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        nat = _backend(account_id, region_name).create_nat_gateway(
            props["SubnetId"],
            props.get("AllocationId"),
            tags=tags_dict(props),
            connectivity_type=props.get("ConnectivityType", "public"),
        )
        return cls(nat.id, props, account_id, region_name)

    def _delete(self) -> None:
        if self.physical_id in self.ec2.nat_gateways:
            self.ec2.delete_nat_gateway(self.physical_id)
            self.ec2.nat_gateways.pop(self.physical_id)


class VpcEndpoint(Ec2Resource, CloudFormationModel):
    """Interface or Gateway endpoint; subnets, security groups, route tables and policy update in place."""

    TYPE = "AWS::EC2::VPCEndpoint"
    CREATE_ONLY = ("ServiceName", "VpcEndpointType", "VpcId")
    ATTRIBUTES = {
        "Id": "physical_id",
        "DnsEntries": "dns_entries",
        "NetworkInterfaceIds": "network_interface_ids",
        "CreationTimestamp": "creation_timestamp",
    }

    @property
    def _endpoint(self) -> Any:
        return self.ec2.vpc_end_points[self.physical_id]

    @property
    def dns_entries(self) -> list[str]:
        return [f"{e['hosted_zone_id']}:{e['dns_name']}" for e in self._endpoint.dns_entries or []]

    @property
    def network_interface_ids(self) -> list[str]:
        return list(self._endpoint.network_interface_ids)

    @property
    def creation_timestamp(self) -> str:
        return self._endpoint.creation_timestamp.isoformat()

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        endpoint = _backend(account_id, region_name).create_vpc_endpoint(
            vpc_id=props["VpcId"],
            service_name=props["ServiceName"],
            endpoint_type=props.get("VpcEndpointType", "Gateway"),
            policy_document=_policy_document(props),
            route_table_ids=list(props.get("RouteTableIds") or []),
            subnet_ids=list(props.get("SubnetIds") or []),
            security_group_ids=list(props.get("SecurityGroupIds") or []),
            private_dns_enabled=as_bool(props["PrivateDnsEnabled"]) if "PrivateDnsEnabled" in props else None,
        )
        return cls(endpoint.id, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        old = self.properties

        def diff(key: str) -> tuple[list[str], list[str]]:
            before, after = set(old.get(key) or []), set(props.get(key) or [])
            return sorted(after - before), sorted(before - after)

        add_subnets, remove_subnets = diff("SubnetIds")
        add_tables, remove_tables = diff("RouteTableIds")
        add_groups, remove_groups = diff("SecurityGroupIds")
        self.ec2.modify_vpc_endpoint(
            self.physical_id,
            _policy_document(props),
            add_subnets,
            remove_subnets,
            remove_tables,
            add_tables,
            add_groups,
            remove_groups,
        )
        if "PrivateDnsEnabled" in props:
            self._endpoint.private_dns_enabled = as_bool(props["PrivateDnsEnabled"])

    def _delete(self) -> None:
        if self.physical_id in self.ec2.vpc_end_points:
            endpoint = self._endpoint
            # Route tables deleted before the endpoint took its routes with them.
            endpoint.route_table_ids = [t for t in endpoint.route_table_ids if t in self.ec2.route_tables]
            self.ec2.delete_vpc_endpoints([self.physical_id])
            self.ec2.vpc_end_points.pop(self.physical_id)


def _policy_document(props: dict[str, Any]) -> str | None:
    """The endpoint policy as moto takes it: JSON text (a template may give an object), or None."""
    policy = props.get("PolicyDocument")
    return json.dumps(policy) if isinstance(policy, dict) else policy
