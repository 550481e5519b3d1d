"""Application load balancer, target group, listener and listener rule on moto's ELBv2 backend.

Beyond moto's own models these keep load balancer and target group attributes, answer every
GetAtt the compiler uses (``CanonicalHostedZoneID``, ``LoadBalancerFullName``,
``TargetGroupFullName`` ...), update in place and delete."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.elbv2.models import elbv2_backends

from .base import Resource, tags_list

# The hosted zone id AWS gives application load balancers, per region (for Route 53 aliases).
_ALB_HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-central-1": "Z215JYRZR1TBD5",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-northeast-1": "Z14GRHDCWA56QT",
}


def _backend(account_id: str, region_name: str) -> Any:
    return elbv2_backends[account_id][region_name]


def _attributes(props: dict[str, Any], key: str) -> dict[str, str]:
    return {
        a["Key"]: str(a["Value"]).lower() if isinstance(a["Value"], bool) else str(a["Value"])
        for a in props.get(key) or []
    }


class Elbv2Resource(Resource):
    """ELBv2 resources are all named by ARN and tagged the same way."""

    @property
    def backend(self) -> Any:
        return _backend(self.account_id, self.region_name)

    def _tag(self, props: dict[str, Any]) -> None:
        tags = tags_list(props)
        if tags:
            self.backend.add_tags([self.physical_id], tags)


class LoadBalancer(Elbv2Resource, CloudFormationModel):
    TYPE = "AWS::ElasticLoadBalancingV2::LoadBalancer"
    NAME_PROPERTY = "Name"
    CREATE_ONLY = ("Name", "Scheme", "Type")
    ATTRIBUTES = {
        "DNSName": "dns_name",
        "CanonicalHostedZoneID": "canonical_hosted_zone_id",
        "LoadBalancerFullName": "full_name",
        "LoadBalancerName": "name",
        "LoadBalancerArn": "physical_id",
        "SecurityGroups": "security_groups",
    }

    @property
    def _lb(self) -> Any:
        return self.backend.load_balancers[self.physical_id]

    @property
    def dns_name(self) -> str:
        return self._lb.dns_name

    @property
    def name(self) -> str:
        return self._lb.name

    @property
    def security_groups(self) -> list[str]:
        return list(self._lb.security_groups or [])

    @property
    def canonical_hosted_zone_id(self) -> str:
        return _ALB_HOSTED_ZONES.get(self.region_name, "Z35SXDOTRQ7X7K")

    @property
    def full_name(self) -> str:
        return self.physical_id.split(":loadbalancer/", 1)[1]

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        lb = _backend(account_id, region_name).create_load_balancer(
            name[:32],
            props.get("SecurityGroups") or [],
            props.get("Subnets") or [],
            subnet_mappings=props.get("SubnetMappings"),
            scheme=props.get("Scheme", "internet-facing"),
            loadbalancer_type=props.get("Type", "application"),
            ip_address_type=props.get("IpAddressType", "ipv4"),
        )
        lb.canonical_hosted_zone_id = _ALB_HOSTED_ZONES.get(region_name, "Z35SXDOTRQ7X7K")
        handle = cls(lb.arn, props, account_id, region_name)
        handle._set_attributes(props)
        handle._tag(props)
        return handle

    def _update(self, props: dict[str, Any]) -> None:
        if props.get("SecurityGroups") != self.properties.get("SecurityGroups"):
            self.backend.set_security_groups(self.physical_id, props.get("SecurityGroups") or [])
        if props.get("Subnets") != self.properties.get("Subnets"):
            self.backend.set_subnets(self.physical_id, props.get("Subnets") or [], [])
        self._set_attributes(props)
        self._tag(props)

    def _set_attributes(self, props: dict[str, Any]) -> None:
        attrs = _attributes(props, "LoadBalancerAttributes")
        if attrs:
            self.backend.modify_load_balancer_attributes(self.physical_id, attrs)

    def _delete(self) -> None:
        self.backend.delete_load_balancer(self.physical_id)


class TargetGroup(Elbv2Resource, CloudFormationModel):
    TYPE = "AWS::ElasticLoadBalancingV2::TargetGroup"
    NAME_PROPERTY = "Name"
    CREATE_ONLY = ("Name", "Port", "Protocol", "ProtocolVersion", "TargetType", "VpcId")
    ATTRIBUTES = {
        "TargetGroupFullName": "full_name",
        "TargetGroupName": "name",
        "TargetGroupArn": "physical_id",
        "LoadBalancerArns": "load_balancer_arns",
    }

    @property
    def name(self) -> str:
        return self.backend.target_groups[self.physical_id].name

    @property
    def full_name(self) -> str:
        return self.physical_id.split(":", 5)[5]

    @property
    def load_balancer_arns(self) -> list[str]:
        return list(self.backend.target_groups[self.physical_id].load_balancer_arns)

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        tg = _backend(account_id, region_name).create_target_group(
            name=name,
            vpc_id=props.get("VpcId"),
            protocol=props.get("Protocol"),
            protocol_version=props.get("ProtocolVersion"),
            port=_str(props.get("Port")),
            target_type=props.get("TargetType", "instance"),
            **_health_check(props),
        )
        handle = cls(tg.arn, props, account_id, region_name)
        handle._set_attributes(props)
        handle._tag(props)
        return handle

    def live(self) -> dict[str, Any] | None:
        tg = self.backend.target_groups.get(self.physical_id)
        if tg is None:
            return None
        return {
            "HealthCheckEnabled": tg.health_check_enabled,
            "HealthCheckPath": tg.health_check_path,
            "HealthCheckPort": tg.health_check_port,
            "HealthCheckProtocol": tg.health_check_protocol,
            "HealthCheckIntervalSeconds": tg.health_check_interval_seconds,
            "HealthCheckTimeoutSeconds": tg.health_check_timeout_seconds,
            "HealthyThresholdCount": tg.healthy_threshold_count,
            "UnhealthyThresholdCount": tg.unhealthy_threshold_count,
            "Matcher": getattr(tg, "matcher", None),
        }

    def _update(self, props: dict[str, Any]) -> None:
        health = _health_check(props)
        self.backend.modify_target_group(
            self.physical_id,
            health_check_proto=health.get("healthcheck_protocol"),
            health_check_port=health.get("healthcheck_port"),
            health_check_path=health.get("healthcheck_path"),
            health_check_interval=health.get("healthcheck_interval_seconds"),
            health_check_timeout=health.get("healthcheck_timeout_seconds"),
            healthy_threshold_count=health.get("healthy_threshold_count"),
            unhealthy_threshold_count=health.get("unhealthy_threshold_count"),
            http_codes=(health.get("matcher") or {}).get("HttpCode"),
            health_check_enabled=health.get("healthcheck_enabled"),
        )
        self._set_attributes(props)
        self._tag(props)

    def _set_attributes(self, props: dict[str, Any]) -> None:
        attrs = _attributes(props, "TargetGroupAttributes")
        if attrs:
            self.backend.modify_target_group_attributes(self.physical_id, attrs)

    def _delete(self) -> None:
        if self.physical_id in self.backend.target_groups:
            self.backend.delete_target_group(self.physical_id)


def _str(value: Any) -> str | None:
    return None if value is None else str(value)


def _health_check(props: dict[str, Any]) -> dict[str, Any]:
    """The target group's health check properties as moto's backend keyword arguments."""
    names = {
        "HealthCheckProtocol": "healthcheck_protocol",
        "HealthCheckPort": "healthcheck_port",
        "HealthCheckPath": "healthcheck_path",
        "HealthCheckIntervalSeconds": "healthcheck_interval_seconds",
        "HealthCheckTimeoutSeconds": "healthcheck_timeout_seconds",
        "HealthyThresholdCount": "healthy_threshold_count",
        "UnhealthyThresholdCount": "unhealthy_threshold_count",
        "HealthCheckEnabled": "healthcheck_enabled",
        "Matcher": "matcher",
    }
    return {arg: props[prop] for prop, arg in names.items() if props.get(prop) is not None}


class Listener(Elbv2Resource, CloudFormationModel):
    TYPE = "AWS::ElasticLoadBalancingV2::Listener"
    CREATE_ONLY = ("LoadBalancerArn",)
    ATTRIBUTES = {"ListenerArn": "physical_id"}

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        backend = _backend(account_id, region_name)
        certificates = props.get("Certificates") or []
        listener = backend.create_listener(
            props["LoadBalancerArn"],
            props.get("Protocol"),
            _str(props.get("Port")),
            props.get("SslPolicy"),
            certificates[0]["CertificateArn"] if certificates else None,
            backend.convert_and_validate_properties(props),
            alpn_policy=props.get("AlpnPolicy"),
        )
        return cls(listener.arn, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        self.backend.modify_listener(
            self.physical_id,
            port=_str(props.get("Port")),
            protocol=props.get("Protocol"),
            ssl_policy=props.get("SslPolicy"),
            certificates=props.get("Certificates"),
            actions=self.backend.convert_and_validate_properties(props),
        )

    def _delete(self) -> None:
        if any(self.physical_id in lb.listeners for lb in self.backend.load_balancers.values()):
            self.backend.delete_listener(self.physical_id)


class ListenerRule(Elbv2Resource, CloudFormationModel):
    TYPE = "AWS::ElasticLoadBalancingV2::ListenerRule"
    CREATE_ONLY = ("ListenerArn",)
    ATTRIBUTES = {"RuleArn": "physical_id", "IsDefault": "is_default"}

    is_default = False

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        backend = _backend(account_id, region_name)
        rule = backend.create_rule(
            props["ListenerArn"],
            props.get("Conditions") or [],
            int(props["Priority"]),
            backend.convert_and_validate_action_properties(props),
        )
        return cls(rule.arn, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        if int(props["Priority"]) != int(self.properties["Priority"]):
            self.backend.set_rule_priorities(
                [{"RuleArn": self.physical_id, "Priority": int(props["Priority"])}]
            )
        self.backend.modify_rule(
            self.physical_id,
            props.get("Conditions") or [],
            self.backend.convert_and_validate_action_properties(props),
        )

    def _delete(self) -> None:
        self.backend.delete_rule(self.physical_id)
