"""Put the spec's ``tags`` on every taggable resource of a template.

Which types are taggable, and whether ``Tags`` is a Key/Value list or a plain map,
comes from the CloudFormation resource schemas (bundled with cfn-lint); the table
below is that information for every type fgc emits, and
tests/compiler/test_compiler_tags.py checks it against the schemas, and that every
type found in a compiled template is listed. A resource's own tags win over the spec's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LIST = "list"
MAP = "map"
NONE = None

#: resource type -> tag format (None: not taggable)
TAG_FORMAT: dict[str, str | None] = {
    "AWS::ApplicationAutoScaling::ScalableTarget": LIST,
    "AWS::ApplicationAutoScaling::ScalingPolicy": NONE,
    "AWS::CloudFormation::Stack": LIST,
    "AWS::CloudWatch::Alarm": LIST,
    "AWS::EC2::EIP": LIST,
    "AWS::EC2::InternetGateway": LIST,
    "AWS::EC2::NatGateway": LIST,
    "AWS::EC2::Route": NONE,
    "AWS::EC2::RouteTable": LIST,
    "AWS::EC2::SecurityGroup": LIST,
    "AWS::EC2::SecurityGroupEgress": NONE,
    "AWS::EC2::SecurityGroupIngress": NONE,
    "AWS::EC2::Subnet": LIST,
    "AWS::EC2::SubnetRouteTableAssociation": NONE,
    "AWS::EC2::VPC": LIST,
    "AWS::EC2::VPCEndpoint": LIST,
    "AWS::EC2::VPCGatewayAttachment": NONE,
    "AWS::ECR::Repository": LIST,
    "AWS::ECS::Cluster": LIST,
    "AWS::ECS::ClusterCapacityProviderAssociations": NONE,
    "AWS::ECS::Service": LIST,
    "AWS::ECS::TaskDefinition": LIST,
    "AWS::ElasticLoadBalancingV2::Listener": LIST,
    "AWS::ElasticLoadBalancingV2::ListenerRule": LIST,
    "AWS::ElasticLoadBalancingV2::LoadBalancer": LIST,
    "AWS::ElasticLoadBalancingV2::TargetGroup": LIST,
    "AWS::IAM::Policy": NONE,
    "AWS::IAM::Role": LIST,
    "AWS::Logs::LogGroup": LIST,
    "AWS::Route53::RecordSet": NONE,
    "AWS::SSM::Parameter": MAP,
    "AWS::ServiceDiscovery::PrivateDnsNamespace": LIST,
    "AWS::ServiceDiscovery::Service": LIST,
}


def apply_tags(template: dict[str, Any], tags: Mapping[str, str]) -> None:
    """Add ``tags`` (sorted by key, for stable output) to every taggable resource, in place."""
    if not tags:
        return
    for resource in template.get("Resources", {}).values():
        fmt = TAG_FORMAT.get(resource["Type"])
        if fmt is None:
            continue
        props = resource.setdefault("Properties", {})
        if fmt == MAP:
            props["Tags"] = {**dict(sorted(tags.items())), **props.get("Tags", {})}
            continue
        own = props.get("Tags", [])
        own_keys = {t["Key"] for t in own if isinstance(t, dict) and "Key" in t}
        added = [{"Key": k, "Value": v} for k, v in sorted(tags.items()) if k not in own_keys]
        props["Tags"] = added + own
