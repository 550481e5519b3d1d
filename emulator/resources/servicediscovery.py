"""Cloud Map private DNS namespace and service, on moto's servicediscovery backend."""

from __future__ import annotations

from typing import Any

from moto.core.common_models import CloudFormationModel
from moto.route53.models import route53_backends
from moto.servicediscovery.models import Namespace, servicediscovery_backends
from moto.utilities.utils import get_partition

from .base import Resource, ResourceError, tags_list


def _backend(account_id: str, region_name: str) -> Any:
    return servicediscovery_backends[account_id][region_name]


def register_task_instances(
    backend: Any, service_id: str, ecs_service: Any, tasks: dict[str, str], **attributes: str
) -> None:
    """Register in Cloud Map service ``service_id`` each of ``tasks`` (instance id -> IP) of
    ``ecs_service`` not registered yet, with the attributes ECS gives them (and ``attributes``)."""
    registered = {i.instance_id for i in backend.list_instances(service_id)}
    for instance_id, ip in tasks.items():
        if instance_id not in registered:
            backend.register_instance(
                service_id,
                instance_id,
                "ecs",
                {
                    "AWS_INSTANCE_IPV4": ip,
                    **attributes,
                    "AWS_INIT_HEALTH_STATUS": "HEALTHY",
                    "ECS_CLUSTER_NAME": ecs_service.cluster_name,
                    "ECS_SERVICE_NAME": ecs_service.name,
                },
            )


class PrivateDnsNamespace(Resource, CloudFormationModel):
    """Ref is the namespace id. Several namespaces may share a VPC (as in AWS) as long as names differ."""

    TYPE = "AWS::ServiceDiscovery::PrivateDnsNamespace"
    CREATE_ONLY = ("Name", "Vpc")
    ATTRIBUTES = {"Id": "physical_id", "Arn": "arn", "HostedZoneId": "hosted_zone_id"}

    @property
    def _namespace(self) -> Any:
        return _backend(self.account_id, self.region_name).get_namespace(self.physical_id)

    @property
    def arn(self) -> str:
        return self._namespace.arn

    @property
    def hosted_zone_id(self) -> str:
        return self._namespace.dns_properties["HostedZoneId"]

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        backend = _backend(account_id, region_name)
        ns_name, vpc = props.get("Name"), props.get("Vpc")
        if not ns_name or not vpc:
            raise ResourceError("Properties validation failed: Name and Vpc are required")
        if any(ns.name == ns_name and ns.vpc == vpc for ns in backend.namespaces.values()):
            raise ResourceError(f"Namespace {ns_name} already exists in VPC {vpc} (ConflictingDomainExists)")
        zone = route53_backends[account_id][get_partition(region_name)].create_hosted_zone(
            ns_name.rstrip(".") + ".",
            private_zone=True,
            comment=f"hosted zone for private dns namespace {ns_name}",
        )
        dns_properties = {"HostedZoneId": zone.id}
        soa = (props.get("Properties") or {}).get("DnsProperties", {}).get("SOA")
        if soa:
            dns_properties["SOA"] = soa
        namespace = Namespace(
            account_id=account_id,
            region=region_name,
            name=ns_name,
            ns_type="DNS_PRIVATE",
            creator_request_id="cloudformation",
            description=props.get("Description"),  # type: ignore[arg-type]  # moto's own API passes None
            dns_properties=dns_properties,
            http_properties={"HttpName": ns_name},
            vpc=vpc,
        )
        backend.namespaces[namespace.id] = namespace
        if props.get("Tags"):
            backend.tagger.tag_resource(namespace.arn, tags_list(props))
        return cls(namespace.id, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        self._namespace.description = props.get("Description")

    def _delete(self) -> None:
        backend = _backend(self.account_id, self.region_name)
        namespace = backend.namespaces.get(self.physical_id)
        if namespace is None:
            return
        if any(s.namespace_id == self.physical_id for s in backend.services.values()):
            raise ResourceError(f"Namespace {self.physical_id} has associated services (ResourceInUse)")
        backend.delete_namespace(self.physical_id)
        zones = route53_backends[self.account_id][get_partition(self.region_name)]
        zone_id = namespace.dns_properties.get("HostedZoneId")
        if zone_id in zones.zones:
            zones.delete_hosted_zone(zone_id)


class DiscoveryService(Resource, CloudFormationModel):
    """Ref is the service id; DnsConfig and HealthCheckCustomConfig as the compiler sets them."""

    TYPE = "AWS::ServiceDiscovery::Service"
    NAME_PROPERTY = "Name"
    CREATE_ONLY = ("Name", "NamespaceId", "HealthCheckCustomConfig", "Type")
    ATTRIBUTES = {"Id": "physical_id", "Arn": "arn", "Name": "name"}

    @property
    def _service(self) -> Any:
        return _backend(self.account_id, self.region_name).get_service(self.physical_id)

    @property
    def arn(self) -> str:
        return self._service.arn

    @property
    def name(self) -> str:
        return self._service.name

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        backend = _backend(account_id, region_name)
        dns_config = dict(props.get("DnsConfig") or {})
        namespace_id = props.get("NamespaceId") or dns_config.pop("NamespaceId", None)
        if not namespace_id or namespace_id not in backend.namespaces:
            raise ResourceError(f"Namespace {namespace_id} not found (NamespaceNotFound)")
        if any(s.name == name and s.namespace_id == namespace_id for s in backend.services.values()):
            raise ResourceError(
                f"Service {name} already exists in namespace {namespace_id} (ServiceAlreadyExists)"
            )
        dns_config.setdefault("RoutingPolicy", "MULTIVALUE")
        service = backend.create_service(
            name=name,
            namespace_id=namespace_id,
            creator_request_id="cloudformation",
            description=props.get("Description"),
            dns_config=dns_config or None,
            health_check_config=props.get("HealthCheckConfig"),
            health_check_custom_config=props.get("HealthCheckCustomConfig"),
            tags=tags_list(props),
            service_type=props.get("Type"),
        )
        return cls(service.id, props, account_id, region_name)

    def _update(self, props: dict[str, Any]) -> None:
        details: dict[str, Any] = {"Description": props.get("Description")}
        if props.get("DnsConfig"):
            details["DnsConfig"] = props["DnsConfig"]
        if props.get("HealthCheckConfig"):
            details["HealthCheckConfig"] = props["HealthCheckConfig"]
        self._service.update(details)

    def _delete(self) -> None:
        _backend(self.account_id, self.region_name).delete_service(self.physical_id)
