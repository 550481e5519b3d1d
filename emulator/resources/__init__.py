"""CloudFormation resource models the emulator adds to (or replaces in) moto.

Importing this package defines every model and refreshes moto's model map, so moto's
CloudFormation (and the emulator's engine) resolve each type listed in ``MODELS`` to ours.
moto builds its map from ``CloudFormationModel.__subclasses__()`` in definition order, later
definitions winning; ours are defined after moto's, and ``register()`` checks that they won.
"""

from __future__ import annotations

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel

# Defining the models (importing their modules) is what registers them with moto.
from . import (  # noqa: F401
    autoscaling,
    ec2,
    ecr,
    ecs,
    elbv2,
    iam,
    logs,
    monitoring,
    secretsmanager,
    servicediscovery,
)
from .base import Resource, ResourceError

MODELS: tuple[type[Resource], ...] = tuple(
    model for model in CloudFormationModel.__subclasses__() if issubclass(model, Resource)
)


def register() -> dict[str, type[CloudFormationModel]]:
    """Clear moto's cached model maps and check each of our types resolves to our model."""
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    model_map = parsing.get_model_map()
    for model in MODELS:
        if model_map.get(model.TYPE) is not model:
            raise RuntimeError(f"{model.TYPE} resolves to {model_map.get(model.TYPE)!r}, not {model!r}")
    return model_map


def model_for(resource_type: str) -> type[CloudFormationModel] | None:
    """The model that handles ``resource_type``, or None when nothing can build it."""
    return parsing.get_model_map().get(resource_type)


register()

__all__ = ["MODELS", "Resource", "ResourceError", "model_for", "register"]
