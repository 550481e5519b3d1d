"""Reading compiled templates back, for the views built on a stack set (``cost``, ``diagram``)."""

from __future__ import annotations

from typing import Any

from fgc.compiler.stackset import Part


def named(part: Part, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """(logical id, properties) of every resource of type ``kind`` in ``part``, in template order."""
    resources = part.template.get("Resources", {})
    return [(lid, r.get("Properties", {})) for lid, r in resources.items() if r["Type"] == kind]


def resources(part: Part, kind: str) -> list[dict[str, Any]]:
    """The properties of every resource of type ``kind`` in ``part``."""
    return [props for _, props in named(part, kind)]


def resource(part: Part | None, kind: str) -> dict[str, Any] | None:
    """The properties of the first resource of type ``kind`` in ``part`` (``None``: there is none)."""
    found = resources(part, kind) if part is not None else []
    return found[0] if found else None


def endpoint_name(endpoint: dict[str, Any]) -> str:
    """A VPC endpoint's short service name: ``com.amazonaws.${AWS::Region}.ecr.api`` -> ``ecr.api``."""
    name = endpoint.get("ServiceName", "")
    if isinstance(name, dict):
        name = name.get("Fn::Sub", "")
    return str(name).rsplit("}.", 1)[-1]


def service_connect_endpoints(part: Part) -> list[str]:
    """``<name>:<port>`` for each endpoint the part's ECS service publishes with Service Connect
    (none for a client-only service, or without Service Connect)."""
    service = resource(part, "AWS::ECS::Service") or {}
    published = service.get("ServiceConnectConfiguration", {}).get("Services", [])
    return [f"{alias['DnsName']}:{alias['Port']}" for entry in published for alias in entry["ClientAliases"]]
