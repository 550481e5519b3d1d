"""Shared machinery for the emulator's CloudFormation resource models.

Every model here is a small *handle*: it remembers the resource's physical id and the
properties it was built from, while the resource itself lives in moto's real service backend
(so boto3 against the emulator reads back exactly what a template created). moto discovers
models as *direct* subclasses of ``CloudFormationModel``, so each concrete model lists
``Resource`` (this mixin) *and* ``CloudFormationModel`` as bases.

A model declares:

- ``TYPE``: the CloudFormation type, ``NAME_PROPERTY``: the property naming the resource
  (moto then passes it as ``resource_name``; otherwise moto passes a generated name);
- ``CREATE_ONLY``: properties whose change means replacement (as in the resource schema);
- ``ATTRIBUTES``: GetAtt name -> handle attribute;
- ``_create(name, props, account_id, region_name)``, ``_update(props)`` (in place), ``_delete()``.

A model whose create leaves the mutable properties to ``_update`` returns ``cls._configured(...)``.

A model of a type CloudFormation can import (``AWS::Logs::LogGroup``, ``AWS::ECR::Repository``, ...)
sets ``IMPORTABLE`` and implements ``_exists(name, account_id, region_name)``: creating a name that
already exists then fails with CloudFormation's "already exists" (``AlreadyExists`` handler error),
and a change set with ``ImportExistingResources`` adopts it instead (``adopt``).

``_delete`` works from the physical id and properties alone (``delete_from_cloudformation_json``
builds a fresh handle) and is idempotent: an engine may retry it, or the resource may already
have gone with its parent (a listener with its load balancer).
"""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from typing import Any, ClassVar

from moto.cloudformation.exceptions import UnformattedGetAttTemplateException


class ResourceError(Exception):
    """A resource could not be created, updated or deleted; the message is the CloudFormation reason.

    ``physical_id``: what was created before the failure (CloudFormation's event names it)."""

    def __init__(self, message: str, physical_id: str | None = None) -> None:
        super().__init__(message)
        self.physical_id = physical_id


def tags_dict(props: dict[str, Any], key: str = "Tags") -> dict[str, str]:
    """CloudFormation's ``[{Key, Value}]`` tag list as a plain mapping."""
    return {t["Key"]: str(t["Value"]) for t in props.get(key) or []}


def tags_list(props: dict[str, Any], key: str = "Tags") -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in props.get(key) or []]


def json_text(value: Any) -> str:
    """A policy document as moto takes it: templates give JSON text or an object."""
    return value if isinstance(value, str) else json.dumps(value)


def as_bool(value: Any) -> bool:
    """Template booleans arrive as bools or as the strings "true"/"false"."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return bool(value)


# Maps whose keys are user data (log driver options, Docker labels), not API field names.
_VERBATIM_KEYS = frozenset({"Options", "DockerLabels"})


def lower_first(value: Any) -> Any:
    """CloudFormation's PascalCase shapes (recursively) as the API's camelCase ones."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: v if k in _VERBATIM_KEYS else lower_first(v) for k, v in value.items()}
    if isinstance(value, list):
        return [lower_first(v) for v in value]
    return value


@contextlib.contextmanager
def _required_properties(props: dict[str, Any]) -> Iterator[None]:
    """A model reading a property the template lacks fails with CloudFormation's own wording."""
    try:
        yield
    except KeyError as err:
        key = err.args[0] if err.args else None
        if isinstance(key, str) and key not in props:
            raise ResourceError(
                f"Properties validation failed for resource with message: #: required key [{key}] not found"
            ) from err
        raise


class Resource:
    """Mixin giving a handle model the CloudFormationModel classmethods moto and our engine call."""

    TYPE: ClassVar[str] = ""
    NAME_PROPERTY: ClassVar[str] = ""
    CREATE_ONLY: ClassVar[tuple[str, ...]] = ()
    ATTRIBUTES: ClassVar[dict[str, str]] = {}
    IMPORTABLE: ClassVar[bool] = False

    def __init__(self, physical_id: str, props: dict[str, Any], account_id: str, region_name: str):
        self.physical_id = physical_id
        self.properties = copy.deepcopy(props)
        self.account_id = account_id
        self.region_name = region_name

    # --- what moto's CloudFormationModel protocol asks for -----------------------------------
    @staticmethod
    def _props(cloudformation_json: dict[str, Any]) -> dict[str, Any]:
        return dict(cloudformation_json.get("Properties") or {})

    @classmethod
    def cloudformation_type(cls) -> str:
        return cls.TYPE

    @classmethod
    def cloudformation_name_type(cls) -> str:
        return cls.NAME_PROPERTY

    @property
    def physical_resource_id(self) -> str:
        return self.physical_id

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return attr in cls.ATTRIBUTES

    def get_cfn_attribute(self, attribute_name: str) -> Any:
        if attribute_name not in self.ATTRIBUTES:
            raise UnformattedGetAttTemplateException()
        return getattr(self, self.ATTRIBUTES[attribute_name])

    def is_created(self) -> bool:
        return True

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> Resource:
        props = cls._props(cloudformation_json)
        if cls.exists(resource_name, account_id, region_name):
            # the handler's words: "Resource handler returned message: ... (HandlerErrorCode: AlreadyExists)"
            identifier = json.dumps({f"/properties/{cls.NAME_PROPERTY}": resource_name})
            raise ResourceError(
                f"Resource of type '{cls.TYPE}' with identifier '{identifier}' already exists."
            )
        with _required_properties(props):
            handle = cls._create(resource_name, props, account_id, region_name)
        handle.properties = copy.deepcopy(props)
        return handle

    @classmethod
    def exists(cls, name: str, account_id: str, region_name: str) -> bool:
        """Whether a resource of this type named `name` exists (always False for non-importable types,
        whose names the emulator leaves to moto)."""
        return cls.IMPORTABLE and cls._exists(name, account_id, region_name)

    @classmethod
    def adopt(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        """A handle on the existing resource `name`, imported as it is: CloudFormation's import
        changes nothing on the resource (the template's values apply from the next update)."""
        if not cls.exists(name, account_id, region_name):
            raise ResourceError(f"Resource of type '{cls.TYPE}' with identifier '{name}' was not found.")
        return cls(name, props, account_id, region_name)

    @classmethod
    def update_from_cloudformation_json(
        cls,
        original_resource: Any,
        new_resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> Resource:
        """Update in place when only mutable properties changed; otherwise replace.

        Replacement creates the new resource first and then deletes the old one, like
        CloudFormation, which refuses to replace a resource whose custom name stays the same."""
        props = cls._props(cloudformation_json)
        if cls.requires_replacement(original_resource.properties, props):
            name = props.get(cls.NAME_PROPERTY) if cls.NAME_PROPERTY else None
            if name and name == original_resource.properties.get(cls.NAME_PROPERTY):
                raise ResourceError(
                    "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
                    f"Rename {name} and update the stack again."
                )
            new = cls.create_from_cloudformation_json(
                new_resource_name, cloudformation_json, account_id, region_name
            )
            original_resource._delete()
            return new
        with _required_properties(props):
            original_resource._update(props)
        original_resource.properties = copy.deepcopy(props)
        return original_resource

    @classmethod
    def requires_replacement(cls, old: dict[str, Any], new: dict[str, Any]) -> bool:
        return any(old.get(p) != new.get(p) for p in cls.CREATE_ONLY)

    @classmethod
    def delete_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: dict[str, Any],
        account_id: str,
        region_name: str,
    ) -> None:
        cls(resource_name, cls._props(cloudformation_json), account_id, region_name)._delete()

    def delete(self, account_id: str, region_name: str) -> None:
        """What moto's own stack delete calls on a parsed resource."""
        self._delete()

    @classmethod
    def _configured(cls, physical_id: str, props: dict[str, Any], account_id: str, region_name: str) -> Any:
        """A handle on a resource just created bare, its mutable properties then set by `_update`:
        creating and updating share one code path, so they cannot drift apart."""
        handle = cls(physical_id, props, account_id, region_name)
        handle._update(props)
        return handle

    # --- what each model implements ---------------------------------------------------------
    @classmethod
    def _exists(cls, name: str, account_id: str, region_name: str) -> bool:
        raise NotImplementedError

    @classmethod
    def _create(cls, name: str, props: dict[str, Any], account_id: str, region_name: str) -> Resource:
        raise NotImplementedError

    def _update(self, props: dict[str, Any]) -> None:
        """In-place update; the default suits resources whose every property is create-only."""

    def _delete(self) -> None:
        raise NotImplementedError

    # --- drift (emulator/cloudformation/drift.py) -------------------------------------------------
    def live(self) -> dict[str, Any] | None:
        """The resource as its service holds it now, as template properties (only those drift
        detection compares); None when it is gone. A model that does not override this is of a
        type drift detection does not check (``NOT_CHECKED``)."""
        raise NotImplementedError

    def revert(self, props: dict[str, Any]) -> None:
        """Put the resource back to ``props`` whatever was changed outside CloudFormation (a
        ``REVERT_DRIFT`` change set). ``_update`` sets every property it owns from ``props``, which
        is enough unless it works by difference from the recorded properties."""
        self._update(props)
        self.properties = copy.deepcopy(props)

    def __repr__(self) -> str:
        return f"<{self.TYPE} {self.physical_id}>"
