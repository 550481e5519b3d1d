"""ECS Service Connect, as ECS does it for a service's ``ServiceConnectConfiguration``.

What ECS refuses (API reference, ServiceConnectConfiguration and ServiceConnectService):

- a namespace that does not exist: ``NamespaceNotFoundException`` (ECS's message, as AWS
  returns it: "Failed to retrieve namespace for <namespace>", terraform-aws-ecs#116);
- a ``portName`` that no port mapping of the task definition's containers is named ("The
  portName must match the name of one of the portMappings from all the containers in the task
  definition of this Amazon ECS service"): ``InvalidParameterException``;
- a discovery name that already names a Cloud Map service in the namespace, whether another
  ECS service published it or it was made otherwise (ECS "creates" a "new" Cloud Map service of
  that name, which "must be unique within the Cloud Map namespace"): ``InvalidParameterException``.

The exact wording of the two ``InvalidParameterException`` messages is not published; these
name the rule the way ECS's other parameter errors do.

What ECS does: for each published port it creates a Cloud Map service named by the
discovery name (``portName`` when there is none) in the namespace, with no DNS records (tasks
find it through the proxy, and ``DiscoverInstances`` lists it), registers one instance per
running task (its IP and the port), and reports them on the deployment as
``serviceConnectResources``; the configuration itself is on the deployment too (``Deployment``
has ``serviceConnectConfiguration``; ``Service`` has none). When the service is deleted, ECS
deregisters the tasks and deletes the Cloud Map services it created, so the namespace can go.
"""

from __future__ import annotations

from typing import Any

from moto.servicediscovery.models import servicediscovery_backends

from .base import ResourceError, as_bool, lower_first
from .servicediscovery import register_task_instances


def _discovery(account_id: str, region_name: str) -> Any:
    return servicediscovery_backends[account_id][region_name]


def find_namespace(account_id: str, region_name: str, namespace: str) -> Any:
    """The Cloud Map namespace a configuration names, by ARN or by name (None: there is none)."""
    backend = _discovery(account_id, region_name)
    return next((ns for ns in backend.namespaces.values() if namespace in (ns.arn, ns.name, ns.id)), None)


def _enabled(config: dict[str, Any] | None) -> bool:
    return bool(config) and as_bool(config.get("Enabled", True))  # type: ignore[union-attr]


def cluster_defaults(
    defaults: dict[str, Any] | None, account_id: str, region_name: str
) -> dict[str, str] | None:
    """A cluster's ServiceConnectDefaults as ECS keeps them: the namespace's ARN.

    ECS API reference, ClusterServiceConnectDefaultsRequest: the namespace is a name or an ARN;
    a name that matches no namespace makes ECS create an HTTP namespace of that name; an ARN
    must exist (``NamespaceNotFoundException``). An empty name removes the defaults."""
    namespace = str((defaults or {}).get("Namespace") or "")
    if not namespace:
        return None
    found = find_namespace(account_id, region_name, namespace)
    if found is None and namespace.startswith("arn:"):
        raise ResourceError(f"Failed to retrieve namespace for {namespace} (NamespaceNotFoundException)")
    if found is None:
        backend = _discovery(account_id, region_name)
        backend.create_http_namespace(namespace, "ecs", None, [])  # no description
        found = find_namespace(account_id, region_name, namespace)
    return {"namespace": found.arn}


def _published(config: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(Cloud Map service name, entry) for each port the configuration publishes."""
    entries = config.get("Services") or []
    return [(entry.get("DiscoveryName") or entry["PortName"], entry) for entry in entries]


def check(
    config: dict[str, Any] | None,
    task_definition: Any,
    service_arn: str | None,
    account_id: str,
    region_name: str,
) -> None:
    """Refuse what ECS refuses in a service's ServiceConnectConfiguration (see the module doc).

    ``service_arn``: the ECS service being updated (its own registrations are no clash)."""
    if not _enabled(config):
        return
    assert config is not None
    namespace = config.get("Namespace")
    found = find_namespace(account_id, region_name, str(namespace)) if namespace else None
    if found is None:
        raise ResourceError(f"Failed to retrieve namespace for {namespace} (NamespaceNotFoundException)")
    names = {
        mapping.get("name")
        for container in task_definition.container_definitions
        for mapping in container.get("portMappings") or []
    }
    backend = _discovery(account_id, region_name)
    for name, entry in _published(config):
        if entry.get("PortName") not in names:
            raise ResourceError(
                f"The Service Connect portName {entry.get('PortName')} does not match the name of any "
                "port mapping of the task definition's containers. (InvalidParameterException)"
            )
        taken = next(
            (
                s
                for s in backend.services.values()
                if s.namespace_id == found.id
                and s.name == name
                and (_owner(s) is None or _owner(s) != service_arn)
            ),
            None,
        )
        if taken is not None:
            holder = _owner(taken) or f"Cloud Map service {taken.id}"
            raise ResourceError(
                f"The Service Connect discovery name {name} is already used in namespace {found.name} by "
                f"{holder}; it must be unique within the namespace. (InvalidParameterException)"
            )


def _owner(cloud_map_service: Any) -> str | None:
    """The ECS service that created a Cloud Map service for Service Connect (None: not ECS's)."""
    return getattr(cloud_map_service, "ecs_service_connect_owner", None)


def sync(
    service: Any, config: dict[str, Any] | None, tasks: dict[str, str], task_port: dict[str, int]
) -> None:
    """ECS keeping the namespace in step with the service: its Cloud Map services exist, each
    running task (``tasks``: instance id -> IP) is registered in each, nothing else of the service
    is; the deployments report the configuration and the resources. ``task_port``: container port
    by port mapping name. The configuration as given is kept for later syncs (scaling, faults)."""
    account_id, region_name = service._account_id, service.region_name
    backend = _discovery(account_id, region_name)
    enabled = _enabled(config)
    namespace: Any = None
    if enabled and config is not None:
        namespace = find_namespace(account_id, region_name, str(config.get("Namespace")))
    wanted: dict[str, int | None] = {}  # Cloud Map service id -> the port its instances serve
    resources = []
    for name, entry in _published(config or {}) if namespace is not None else []:
        cloud_map = next(
            (s for s in backend.services.values() if s.namespace_id == namespace.id and s.name == name), None
        )
        if cloud_map is None:
            cloud_map = backend.create_service(
                name=name,
                namespace_id=namespace.id,
                creator_request_id=f"ecs-{service.arn}",
                description="Managed by Amazon ECS (Service Connect)",
                dns_config=None,  # Service Connect services have no DNS records
                health_check_config=None,
                health_check_custom_config=None,
                tags=[{"Key": "AmazonECSManaged", "Value": "true"}],
                service_type="HTTP",
            )
            cloud_map.ecs_service_connect_owner = service.arn
        wanted[cloud_map.id] = task_port.get(entry["PortName"])
        resources.append({"discoveryName": name, "discoveryArn": cloud_map.arn})
    for cloud_map in [s for s in backend.services.values() if _owner(s) == service.arn]:
        keep = set(tasks) if cloud_map.id in wanted else set()
        for instance in list(backend.list_instances(cloud_map.id)):
            if instance.instance_id not in keep:
                backend.deregister_instance(cloud_map.id, instance.instance_id)
        if cloud_map.id not in wanted:
            backend.delete_service(cloud_map.id)
    for service_id, port in wanted.items():
        register_task_instances(backend, service_id, service, tasks, AWS_INSTANCE_PORT=str(port))
    service.service_connect_props = config if enabled else None
    service.service_connect = {
        "serviceConnectConfiguration": lower_first(config) if enabled else None,
        "serviceConnectResources": resources or None,
    }


def report(deployment: dict[str, Any], service: Any) -> None:
    """Write on a deployment of ``service`` what it reports about Service Connect (no key for what
    it does not have: a client-only service has no ``serviceConnectResources``)."""
    for key, value in (getattr(service, "service_connect", None) or {}).items():
        if value is None:
            deployment.pop(key, None)
        else:
            deployment[key] = value


def remove(service: Any) -> None:
    """The service is deleted: ECS deregisters its tasks and deletes the Cloud Map services it made."""
    sync(service, None, {}, {})
