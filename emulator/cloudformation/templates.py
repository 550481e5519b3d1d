"""Templates and parameters: fetching, parsing, validating the way CloudFormation refuses them."""

from __future__ import annotations

import json
from typing import Any, cast
from urllib.parse import urlparse

import yaml

from .errors import InsufficientCapabilities, ValidationError
from .intrinsics import PSEUDO_PARAMETERS, Unknown, references
from .schemas import is_known_type

STACK_TYPE = "AWS::CloudFormation::Stack"
_NAMED_IAM_PROPERTIES = ("RoleName", "UserName", "GroupName", "ManagedPolicyName", "InstanceProfileName")


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags (`!Ref`, `!GetAtt`, `!Sub`, ...)."""


def _tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(cast(yaml.MappingNode, node), deep=True)
    return {name: value}


_Loader.add_multi_constructor("!", _tag)


def parse(body: str) -> dict[str, Any]:
    try:
        template = json.loads(body)
    except ValueError:
        try:
            template = yaml.load(body, Loader=_Loader)  # noqa: S506 - SafeLoader subclass
        except yaml.YAMLError as err:
            raise ValidationError(f"Template format error: {err}") from err
    if not isinstance(template, dict):
        raise ValidationError("Template format error: JSON not well-formed.")
    if not isinstance(template.get("Resources"), dict) or not template["Resources"]:
        raise ValidationError("Template format error: At least one Resources member must be defined.")
    if template.get("Transform"):
        raise ValidationError(f"Transform {template['Transform']} is not supported by the fgc emulator")
    unknown = sorted(
        {str(r.get("Type")) for r in template["Resources"].values() if not is_known_type(str(r.get("Type")))}
    )
    if unknown:
        raise ValidationError(f"Template format error: Unrecognized resource types: [{', '.join(unknown)}]")
    _check_references(template)
    return template


def _check_references(template: dict[str, Any]) -> None:
    known = set(template.get("Parameters") or {}) | set(template["Resources"]) | set(PSEUDO_PARAMETERS)
    unresolved = sorted(
        name
        for definition in template["Resources"].values()
        for name in references(definition.get("Properties", {})) | set(_depends_on(definition))
        if name not in known
    )
    if unresolved:
        raise ValidationError(
            f"Template format error: Unresolved resource dependencies [{', '.join(unresolved)}] "
            "in the Resources block of the template"
        )


def _depends_on(definition: dict[str, Any]) -> list[str]:
    depends = definition.get("DependsOn", [])
    return [depends] if isinstance(depends, str) else list(depends)


def dependencies(template: dict[str, Any], logical_id: str) -> set[str]:
    definition = template["Resources"][logical_id]
    names = references(definition.get("Properties", {})) | set(_depends_on(definition))
    return {n for n in names if n in template["Resources"] and n != logical_id}


def creation_order(template: dict[str, Any]) -> list[str]:
    """Resources so that each comes after what it references; template order breaks ties."""
    resources = list(template["Resources"])
    pending = {name: dependencies(template, name) for name in resources}
    order: list[str] = []
    while pending:
        ready = [name for name in resources if name in pending and not pending[name] - set(order)]
        if not ready:
            raise ValidationError(f"Circular dependency between resources: [{', '.join(sorted(pending))}]")
        order.append(ready[0])
        del pending[ready[0]]
    return order


def fetch(url: str, account: str) -> str:
    """Read a TemplateURL from the emulator's own S3 (path-style localhost or virtual-hosted)."""
    from moto.s3.models import s3_backends

    parsed = urlparse(url)
    host = parsed.hostname or ""
    path = parsed.path.lstrip("/")
    if ".s3" in host and host.endswith("amazonaws.com") and not host.startswith("s3"):
        bucket, key = host.split(".s3", 1)[0], path
    else:
        bucket, _, key = path.partition("/")
    try:
        found = s3_backends[account]["aws"].get_object(bucket, key)
        if found is None:
            raise KeyError(key)
        return found.value.decode()
    except Exception as err:  # noqa: BLE001 - moto raises several S3 error types
        raise ValidationError(f"S3 error: Unable to get template from {url}: {err}") from err


def load(body: str | None, url: str | None, account: str) -> tuple[dict[str, Any], str]:
    if bool(body) == bool(url):
        raise ValidationError("Exactly one of TemplateBody or TemplateUrl must be specified.")
    text = body if body else fetch(url or "", account)
    return parse(text), text


def parameter_value(value: Any) -> Any:
    """How a nested stack's `Parameters` entry reaches the child: a string (or still unknown)."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return ",".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def resolve_parameters(
    template: dict[str, Any], given: dict[str, str | None], previous: dict[str, str] | None = None
) -> dict[str, str]:
    """Parameter values as strings; `None` in `given` means UsePreviousValue."""
    declared = template.get("Parameters") or {}
    extra = sorted(set(given) - set(declared))
    if extra:
        raise ValidationError(f"Parameters: [{', '.join(extra)}] do not exist in the template")
    values: dict[str, str] = {}
    missing = []
    for name, declaration in declared.items():
        if name in given and given[name] is None:
            if previous is None or name not in previous:
                raise ValidationError(
                    f"Invalid input for parameter key {name}. Cannot specify usePreviousValue "
                    "as true for a parameter key not in the previous template"
                )
            values[name] = previous[name]
        elif name in given:
            values[name] = given[name]  # type: ignore[assignment]  # a planner may pass Unknown
        elif "Default" in declaration:
            default = declaration["Default"]
            values[name] = ",".join(map(str, default)) if isinstance(default, list) else str(default)
        else:
            missing.append(name)
            continue
        allowed = declaration.get("AllowedValues")
        if allowed and isinstance(values[name], str) and values[name] not in [str(a) for a in allowed]:
            raise ValidationError(f"Parameter '{name}' must be one of AllowedValues")
    if missing:
        raise ValidationError(f"Parameters: [{', '.join(missing)}] must have values")
    return values


def typed_parameters(
    template: dict[str, Any], values: dict[str, str], account: str, region: str
) -> dict[str, Any]:
    """What `Ref` to each parameter yields: numbers as numbers, lists as lists, SSM names resolved."""
    typed: dict[str, Any] = {}
    for name, value in values.items():
        kind = str((template.get("Parameters") or {}).get(name, {}).get("Type", "String"))
        if not isinstance(value, str):  # unknown until the change set executes
            typed[name] = value
            continue
        if kind.startswith("AWS::SSM::Parameter::Value<"):
            from moto.ssm.models import ssm_backends

            parameter = ssm_backends[account][region].get_parameter(value)
            value = parameter.value if parameter else value
        if kind == "Number":
            number = float(value)
            typed[name] = int(number) if number.is_integer() else number
        elif kind.startswith("List<") or kind == "CommaDelimitedList" or "<List<" in kind:
            typed[name] = [item.strip() for item in value.split(",")] if value else []
        else:
            typed[name] = value
    return typed


def required_capabilities(template: dict[str, Any]) -> set[str]:
    needed: set[str] = set()
    for definition in template["Resources"].values():
        if str(definition.get("Type", "")).startswith("AWS::IAM::"):
            props = definition.get("Properties") or {}
            needed.add(
                "CAPABILITY_NAMED_IAM" if any(p in props for p in _NAMED_IAM_PROPERTIES) else "CAPABILITY_IAM"
            )
    return needed


def check_capabilities(template: dict[str, Any], granted: list[str]) -> None:
    needed = required_capabilities(template)
    if "CAPABILITY_NAMED_IAM" in granted:
        return
    if "CAPABILITY_NAMED_IAM" in needed or ("CAPABILITY_IAM" in needed and "CAPABILITY_IAM" not in granted):
        raise InsufficientCapabilities(f"Requires capabilities : [{sorted(needed)[-1]}]")
