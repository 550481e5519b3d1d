"""Logical ids and names: readable, stable, derived only from spec names."""

from __future__ import annotations

from fgc.spec.deployable import logical_id

#: ``flask-api`` -> ``FlaskApi``; ``api_v2`` -> ``ApiV2``. Logical ids must be alphanumeric; the
#: spec refuses two names with one id, so it owns the mapping.
pascal = logical_id


#: Template (and nested stack) names of services start with this.
SERVICE_PREFIX = "service-"


def service_template(service: str) -> str:
    """Template (and nested stack) name of a service: ``service-<name>``."""
    return f"{SERVICE_PREFIX}{service}"


def service_of(template_name: str) -> str | None:
    """The fargate.yaml service a template (stack label) belongs to: ``service-api`` -> ``api``."""
    return template_name.removeprefix(SERVICE_PREFIX) if template_name.startswith(SERVICE_PREFIX) else None


def stack_logical_id(template_name: str) -> str:
    """Root logical id of a nested stack: ``network`` -> ``Network``, ``service-api`` -> ``ServiceApi``."""
    return pascal(template_name)


def image_tag_parameter(service: str) -> str:
    """Root parameter carrying a service's main image tag: ``api`` -> ``ApiImageTag``."""
    return f"{pascal(service)}ImageTag"


def weight_parameter(service: str, target_group: str) -> str:
    """Root parameter carrying the production rule's weight of one of a service's two target
    groups (``target_group`` is ``Primary`` or ``Alternate``): ``api`` -> ``ApiPrimaryWeight``."""
    return f"{pascal(service)}{target_group}Weight"
