"""The `network` nested stack: a VPC for the application when `network.vpc` is used.

Layout, per availability zone i (1-based in logical ids, chosen with ``Fn::GetAZs`` so no
zone name is ever written down): a public subnet (only the load balancer and NAT gateways
live there, so it does not assign public IPs) and a private subnet with its own route
table (tasks live there). Private route tables are per zone whatever the NAT mode, so
switching `nat` only adds or removes routes and never replaces a route table.

Subnet CIDRs are carved in Python from the VPC CIDR into 16 equal blocks: private subnet
i takes block i-1, public subnet i takes block 8+i-1. A subnet's block depends only on its
zone index, so raising `azs` adds subnets and never renumbers existing ones.
"""

from __future__ import annotations

import ipaddress
import re
from typing import TYPE_CHECKING

from fgc.compiler.draft import Draft
from fgc.compiler.stackset import PartOutput, Source, SpecValue
from troposphere import GetAtt, GetAZs, Join, Output, Ref, Select, Sub, Tags, Template, ec2

if TYPE_CHECKING:
    from fgc.compiler.context import CompileContext
    from fgc.spec.models import Spec


#: The part's name.
NAME = "network"
#: What the network part outputs, and what other parts read about the VPC by these names.
OUTPUTS = ("VpcId", "VpcCidr", "PublicSubnetIds", "PrivateSubnetIds")

#: Each subnet is this many bits longer than the VPC prefix (16 blocks: up to 6 zones of
#: private + public, with room to spare; the spec allows /16../24 VPCs, so /20../28 subnets).
SUBNET_EXTRA_BITS = 4
#: Block offset of the public subnets (private subnets start at block 0).
PUBLIC_BLOCK_OFFSET = 8
#: Interface endpoints private tasks need to start without NAT: (logical id stem, service).
INTERFACE_ENDPOINTS = (
    ("EcrApi", "ecr.api"),
    ("EcrDkr", "ecr.dkr"),
    ("Logs", "logs"),
    ("SecretsManager", "secretsmanager"),
    ("Ssm", "ssm"),
)
#: Added when some service has `exec: true`: ECS Exec's agent channels run over it.
EXEC_ENDPOINT = ("SsmMessages", "ssmmessages")


def subnet_cidrs(vpc_cidr: str, azs: int) -> tuple[list[str], list[str]]:
    """(public, private) subnet CIDRs for `azs` zones, carved deterministically from `vpc_cidr`."""
    network = ipaddress.ip_network(vpc_cidr)
    blocks = list(network.subnets(prefixlen_diff=SUBNET_EXTRA_BITS))
    public = [str(blocks[PUBLIC_BLOCK_OFFSET + i]) for i in range(azs)]
    private = [str(blocks[i]) for i in range(azs)]
    return public, private


def values(spec: Spec) -> dict[str, Source]:
    """Where the VPC's :data:`OUTPUTS` come from: the network part, or ``network.existing``.

    An existing VPC without ``cidr`` has no ``VpcCidr``: fargate.yaml's validation makes
    sure no part then needs it.
    """
    existing = spec.network.existing
    if existing is None:
        return {name: PartOutput(NAME, name) for name in OUTPUTS}
    found: dict[str, Source] = {
        "VpcId": SpecValue(existing.vpc_id),
        "PublicSubnetIds": SpecValue(",".join(existing.public_subnets)),
        "PrivateSubnetIds": SpecValue(",".join(existing.private_subnets)),
    }
    if existing.cidr is not None:
        found["VpcCidr"] = SpecValue(existing.cidr)
    return found


def build(spec: Spec, ctx: CompileContext | None = None) -> Draft:
    """The network part for ``spec.network.vpc``; outputs VpcId, VpcCidr and subnet id lists."""
    vpc_spec = spec.network.vpc
    if vpc_spec is None:
        raise ValueError("a spec with network.existing has no network stack")
    azs = vpc_spec.azs
    nat = vpc_spec.nat
    public_cidrs, private_cidrs = subnet_cidrs(vpc_spec.cidr, azs)

    t = Template(Description=f"fgc {spec.stack_name}: VPC over {azs} availability zones, NAT {nat}")
    t.set_version("2010-09-09")

    vpc = t.add_resource(
        ec2.VPC(
            "Vpc",
            CidrBlock=vpc_spec.cidr,
            EnableDnsSupport=True,
            EnableDnsHostnames=True,
        )
    )
    igw = t.add_resource(ec2.InternetGateway("InternetGateway"))
    attachment = t.add_resource(
        ec2.VPCGatewayAttachment("InternetGatewayAttachment", VpcId=Ref(vpc), InternetGatewayId=Ref(igw))
    )

    public_rt = t.add_resource(ec2.RouteTable("PublicRouteTable", VpcId=Ref(vpc)))
    t.add_resource(
        ec2.Route(
            "PublicDefaultRoute",
            DependsOn=attachment.title,
            RouteTableId=Ref(public_rt),
            DestinationCidrBlock="0.0.0.0/0",
            GatewayId=Ref(igw),
        )
    )

    public_subnets, private_subnets, private_rts = [], [], []
    for i in range(azs):
        n = i + 1
        zone = Select(i, GetAZs(""))
        public, _ = _add_subnet(t, vpc, "Public", n, zone, public_cidrs[i], public_rt)
        private, private_rt = _add_subnet(t, vpc, "Private", n, zone, private_cidrs[i])
        public_subnets.append(public)
        private_subnets.append(private)
        private_rts.append(private_rt)

    _add_nat(t, nat, public_subnets, private_rts, attachment.title)
    if vpc_spec.endpoints:
        exec_used = any(service.exec for service in spec.services.values())
        interface = INTERFACE_ENDPOINTS + ((EXEC_ENDPOINT,) if exec_used else ())
        _add_endpoints(t, vpc, interface, private_subnets, private_rts)
    _name_resources(t, spec.stack_name)

    t.add_output(
        [
            Output("VpcId", Description="The VPC's id", Value=Ref(vpc)),
            Output("VpcCidr", Description="The VPC's IPv4 CIDR block", Value=GetAtt(vpc, "CidrBlock")),
            Output(
                "PublicSubnetIds",
                Description="Public subnet ids, comma-separated, one per zone",
                Value=Join(",", [Ref(s) for s in public_subnets]),
            ),
            Output(
                "PrivateSubnetIds",
                Description="Private subnet ids, comma-separated, one per zone",
                Value=Join(",", [Ref(s) for s in private_subnets]),
            ),
        ]
    )
    return Draft(NAME, t)


def _add_subnet(
    t: Template,
    vpc: ec2.VPC,
    tier: str,
    n: int,
    zone: Select,
    cidr: str,
    route_table: ec2.RouteTable | None = None,
) -> tuple[ec2.Subnet, ec2.RouteTable]:
    """`<tier>Subnet<n>` associated with `route_table` (the public subnets share one), or with
    its own `<tier>RouteTable<n>` when none is given (each private subnet); returns both."""
    subnet = t.add_resource(
        ec2.Subnet(
            f"{tier}Subnet{n}",
            VpcId=Ref(vpc),
            AvailabilityZone=zone,
            CidrBlock=cidr,
            MapPublicIpOnLaunch=False,
        )
    )
    if route_table is None:
        route_table = t.add_resource(ec2.RouteTable(f"{tier}RouteTable{n}", VpcId=Ref(vpc)))
    t.add_resource(
        ec2.SubnetRouteTableAssociation(
            f"{subnet.title}RouteTableAssociation", SubnetId=Ref(subnet), RouteTableId=Ref(route_table)
        )
    )
    return subnet, route_table


def _add_nat(
    t: Template,
    nat: str,
    public_subnets: list[ec2.Subnet],
    private_rts: list[ec2.RouteTable],
    attachment: str,
) -> None:
    """NAT gateways and the private default routes: none, one shared, or one per zone."""
    if nat == "none":
        return
    gateways = len(public_subnets) if nat == "per_az" else 1  # "single": one, in zone 1
    nats = []
    for i in range(gateways):
        n = i + 1
        eip = t.add_resource(ec2.EIP(f"NatEip{n}", DependsOn=attachment, Domain="vpc"))
        nats.append(
            t.add_resource(
                ec2.NatGateway(
                    f"NatGateway{n}",
                    AllocationId=GetAtt(eip, "AllocationId"),
                    SubnetId=Ref(public_subnets[i]),
                )
            )
        )
    for i, rt in enumerate(private_rts):
        t.add_resource(
            ec2.Route(
                f"PrivateDefaultRoute{i + 1}",
                RouteTableId=Ref(rt),
                DestinationCidrBlock="0.0.0.0/0",
                NatGatewayId=Ref(nats[i % gateways]),
            )
        )


def _add_endpoints(
    t: Template,
    vpc: ec2.VPC,
    interface: tuple[tuple[str, str], ...],
    private_subnets: list[ec2.Subnet],
    private_rts: list[ec2.RouteTable],
) -> None:
    """Interface endpoints (with their own security group) and the S3 gateway endpoint.

    With them, tasks in private subnets pull images, write logs, read secrets (and, with
    `exec`, open ECS Exec sessions) without NAT.
    """
    sg = t.add_resource(
        ec2.SecurityGroup(
            "EndpointSecurityGroup",
            GroupDescription="VPC interface endpoints: HTTPS from inside the VPC",
            VpcId=Ref(vpc),
            SecurityGroupIngress=[
                ec2.SecurityGroupRule(
                    IpProtocol="tcp",
                    FromPort=443,
                    ToPort=443,
                    CidrIp=GetAtt(vpc, "CidrBlock"),
                    Description="HTTPS to the AWS service endpoints from the VPC",
                )
            ],
            SecurityGroupEgress=[
                ec2.SecurityGroupRule(
                    IpProtocol="-1",
                    CidrIp="127.0.0.1/32",
                    Description="No egress: endpoints only answer connections",
                )
            ],
        )
    )
    for stem, service in interface:
        t.add_resource(
            ec2.VPCEndpoint(
                f"{stem}Endpoint",
                VpcId=Ref(vpc),
                VpcEndpointType="Interface",
                ServiceName=Sub(f"com.amazonaws.${{AWS::Region}}.{service}"),
                PrivateDnsEnabled=True,
                SubnetIds=[Ref(s) for s in private_subnets],
                SecurityGroupIds=[Ref(sg)],
            )
        )
    t.add_resource(
        ec2.VPCEndpoint(
            "S3Endpoint",
            VpcId=Ref(vpc),
            VpcEndpointType="Gateway",
            ServiceName=Sub("com.amazonaws.${AWS::Region}.s3"),
            RouteTableIds=[Ref(rt) for rt in private_rts],
        )
    )


def _name_resources(t: Template, prefix: str) -> None:
    """Give every taggable resource a ``Name`` tag (``flask-api-public-subnet-1``).

    The EC2 console lists VPCs, subnets and route tables by this tag; without it a
    reviewer sees only ids. Derived from the logical id, so it is as stable as the id.
    """
    for logical_id, resource in t.resources.items():
        if "Tags" in resource.props:
            words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[a-z])(?=[0-9]+$)", "-", logical_id).lower()
            resource.Tags = Tags(Name=f"{prefix}-{words}")
