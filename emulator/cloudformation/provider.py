"""Drives resources through moto's `CloudFormationModel` contract.

The engine never talks to a service backend directly: every resource type is a direct subclass of
`moto.core.common_models.CloudFormationModel` (moto's own, or ours in `emulator.resources`), found
through `moto.cloudformation.parsing.get_model_map()`. The calls and their arguments mirror what
moto's own CloudFormation does, so a model written against moto works here unchanged.
"""

from __future__ import annotations

import copy
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel


class ResourceFailure(Exception):
    """A resource handler failure; the message becomes the event's ResourceStatusReason.

    ``physical_id``: the resource was created before it failed (an ECS service whose tasks never
    became stable), so its failure event names it, as CloudFormation's does."""

    def __init__(self, message: str, physical_id: str | None = None) -> None:
        super().__init__(message)
        self.physical_id = physical_id


def _overrides(cls: type, method: str) -> bool:
    return not getattr(getattr(cls, method), "__isabstractmethod__", False)


def model_class(resource_type: str) -> type[CloudFormationModel]:
    cls = parsing.get_model_map().get(resource_type)
    if cls is None:
        raise ResourceFailure(
            f"Resource type {resource_type} is not supported by the fgc emulator "
            "(no CloudFormation model is installed for it)"
        )
    return cls


def name_property(resource_type: str) -> str | None:
    """The property that names the resource (a custom name cannot survive a replacement)."""
    return parsing.resource_name_property_from_type(resource_type)


def _physical_name(resource_type: str, stack_name: str, logical_id: str, properties: dict[str, Any]) -> str:
    prop = name_property(resource_type)
    if prop and properties.get(prop):
        return str(properties[prop])
    return parsing.generate_resource_name(resource_type, stack_name, logical_id)


def _label(model: Any, resource_type: str, logical_id: str) -> None:
    """moto's engine tags models with these; some models read them back."""
    try:
        model.cf_resource_type = resource_type
        model.logical_resource_id = logical_id
    except AttributeError:
        pass


def physical_id_of(model: Any) -> str:
    try:
        return str(model.physical_resource_id)
    except (AttributeError, NotImplementedError):
        return ""


def create(
    resource_type: str,
    logical_id: str,
    properties: dict[str, Any],
    stack_name: str,
    stack_id: str,
    account: str,
    region: str,
) -> Any:
    cls = model_class(resource_type)
    resource_json = {"Type": resource_type, "Properties": copy.deepcopy(properties)}
    name = _physical_name(resource_type, stack_name, logical_id, properties)
    try:
        model = cls.create_from_cloudformation_json(
            name,
            resource_json,
            account,
            region,
            LogicalId=logical_id,
            StackId=stack_id,
            ResourceType=resource_type,
        )
    except Exception as err:  # noqa: BLE001 - any backend error is the resource's failure reason
        raise ResourceFailure(_reason(err), getattr(err, "physical_id", None)) from err
    _label(model, resource_type, logical_id)
    return model


def existing(resource_type: str, name: str, account: str, region: str) -> bool:
    """Whether a resource `name` of an importable type exists (False for types that cannot be imported)."""
    cls = parsing.get_model_map().get(resource_type)
    if not getattr(cls, "IMPORTABLE", False):  # the flag of `emulator.resources` models that can import
        return False
    return bool(cls.exists(name, account, region))  # type: ignore[union-attr]


def adopt(
    resource_type: str, logical_id: str, name: str, properties: dict[str, Any], account: str, region: str
) -> Any:
    """A model over the existing resource `name` (ImportExistingResources), leaving it as it is."""
    cls = model_class(resource_type)
    try:
        model = cls.adopt(name, copy.deepcopy(properties), account, region)  # type: ignore[attr-defined]
    except Exception as err:  # noqa: BLE001
        raise ResourceFailure(_reason(err)) from err
    _label(model, resource_type, logical_id)
    return model


def update(
    model: Any,
    resource_type: str,
    logical_id: str,
    properties: dict[str, Any],
    stack_name: str,
    account: str,
    region: str,
) -> Any | None:
    """Update in place; None when the model cannot, so the engine replaces the resource instead."""
    cls = model_class(resource_type)
    if not _overrides(cls, "update_from_cloudformation_json"):
        return None
    resource_json = {"Type": resource_type, "Properties": copy.deepcopy(properties)}
    name = _physical_name(resource_type, stack_name, logical_id, properties)
    try:
        new_model = cls.update_from_cloudformation_json(
            original_resource=model,
            new_resource_name=name,
            cloudformation_json=resource_json,
            account_id=account,
            region_name=region,
        )
    except Exception as err:  # noqa: BLE001
        raise ResourceFailure(_reason(err)) from err
    _label(new_model, resource_type, logical_id)
    return new_model


def revert(model: Any, properties: dict[str, Any]) -> Any:
    """Put the resource back to ``properties`` from its live state (a ``REVERT_DRIFT`` change set)."""
    try:
        model.revert(copy.deepcopy(properties))
    except Exception as err:  # noqa: BLE001
        raise ResourceFailure(_reason(err)) from err
    return model


def delete(model: Any, resource_type: str, properties: dict[str, Any], account: str, region: str) -> None:
    """Delete the way moto's engine does: the model's own `delete`, else the class-level delete."""
    try:
        try:
            model.delete(account, region)
            return
        except (TypeError, AttributeError):
            pass
        cls = model_class(resource_type)
        if _overrides(cls, "delete_from_cloudformation_json"):
            resource_json = {"Type": resource_type, "Properties": copy.deepcopy(properties)}
            cls.delete_from_cloudformation_json(physical_id_of(model), resource_json, account, region)
    except ResourceFailure:
        raise
    except Exception as err:  # noqa: BLE001
        raise ResourceFailure(_reason(err)) from err


def attribute(model: Any, resource_type: str, logical_id: str, name: str) -> Any:
    try:
        return model.get_cfn_attribute(name)
    except Exception as err:  # noqa: BLE001 - unsupported attributes must fail loudly, never resolve to ''
        raise ResourceFailure(
            f"Template error: resource {logical_id} ({resource_type}) does not support attribute type {name} "
            f"in Fn::GetAtt ({_reason(err)})"
        ) from err


def _reason(err: Exception) -> str:
    message = getattr(err, "message", None) or str(err) or type(err).__name__
    return str(message)
