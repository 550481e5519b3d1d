"""Template evaluation: parameters, conditions, mappings and intrinsic functions.

The evaluator is given two callbacks (`ref`, `getatt`) for resources, so the same code serves the
stack engine (real physical ids and attributes) and change-set planning, where a resource that is
about to be created or modified has no known value yet: its callbacks return `Unknown`, which
propagates through every function and lets the planner mark a change "Dynamic".
"""

from __future__ import annotations

import base64
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

from .errors import ValidationError

PSEUDO_PARAMETERS = (
    "AWS::AccountId",
    "AWS::Region",
    "AWS::StackName",
    "AWS::StackId",
    "AWS::Partition",
    "AWS::URLSuffix",
    "AWS::NotificationARNs",
    "AWS::NoValue",
)
_SUB_VARIABLE = re.compile(r"\$\{([^}!][^}]*)\}")


class _NoValue:
    """`Ref: AWS::NoValue` - removes the enclosing property."""


NO_VALUE = _NoValue()


@dataclass(frozen=True)
class Unknown:
    """A value only known once the stack operation runs; `sources` names what it depends on."""

    sources: frozenset[str] = field(default_factory=frozenset)

    def __repr__(self) -> str:
        return f"Unknown({', '.join(sorted(self.sources))})"


def unknowns_in(value: Any) -> frozenset[str]:
    """The union of sources of every Unknown inside a value (empty when fully known)."""
    if isinstance(value, Unknown):
        return value.sources or frozenset({"?"})
    if isinstance(value, dict):
        return frozenset().union(*(unknowns_in(v) for v in value.values()))
    if isinstance(value, list):
        return frozenset().union(*(unknowns_in(v) for v in value))
    return frozenset()


def references(value: Any) -> set[str]:
    """Logical names (parameters or resources) a raw template fragment refers to."""
    found: set[str] = set()
    if isinstance(value, dict):
        if "Ref" in value and isinstance(value["Ref"], str):
            found.add(value["Ref"])
        if "Fn::GetAtt" in value:
            target = value["Fn::GetAtt"]
            target = target.split(".", 1) if isinstance(target, str) else target
            if isinstance(target, list) and target and isinstance(target[0], str):
                found.add(target[0])
        if "Fn::Sub" in value:
            sub = value["Fn::Sub"]
            text, variables = (sub[0], sub[1] if len(sub) > 1 else {}) if isinstance(sub, list) else (sub, {})
            if isinstance(text, str):
                found |= {
                    m.split(".", 1)[0]
                    for m in _SUB_VARIABLE.findall(text)
                    if m.split(".", 1)[0] not in variables
                }
        for item in value.values():
            found |= references(item)
    elif isinstance(value, list):
        for item in value:
            found |= references(item)
    return found


class Evaluator:
    """Resolves one template's values given parameter values and resource callbacks."""

    def __init__(
        self,
        template: dict[str, Any],
        parameters: dict[str, Any],
        pseudo: dict[str, Any],
        ref: Callable[[str], Any],
        getatt: Callable[[str, str], Any],
        import_value: Callable[[str], Any] | None = None,
    ) -> None:
        self.template = template
        self.parameters = parameters
        self.pseudo = pseudo
        self._ref = ref
        self._getatt = getatt
        self._import_value = import_value
        self._conditions: dict[str, bool] = {}

    # -- conditions -----------------------------------------------------------------------------
    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            definitions = self.template.get("Conditions") or {}
            if name not in definitions:
                raise ValidationError(f"Template format error: Unresolved condition dependencies [{name}]")
            value = self.resolve(definitions[name])
            self._conditions[name] = bool(value) if not isinstance(value, Unknown) else True
        return self._conditions[name]

    def is_active(self, definition: dict[str, Any]) -> bool:
        """Whether a resource or output with an optional `Condition` exists."""
        name = definition.get("Condition")
        return True if name is None else self.condition(name)

    # -- values ----------------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            handler = _FUNCTIONS.get(key)
            if handler is not None and not (key == "Condition" and not isinstance(arg, str)):
                return handler(self, arg)
        return {k: v for k, v in ((k, self.resolve(v)) for k, v in value.items()) if v is not NO_VALUE}

    def ref(self, name: str) -> Any:
        if name in self.parameters:
            return self.parameters[name]
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in PSEUDO_PARAMETERS:
            return self.pseudo[name]
        return self._ref(name)


def _known(*values: Any) -> Unknown | None:
    sources = frozenset().union(*(unknowns_in(v) for v in values))
    return Unknown(sources) if sources else None


def _fn_ref(ev: Evaluator, arg: Any) -> Any:
    return ev.ref(arg)


def _fn_getatt(ev: Evaluator, arg: Any) -> Any:
    if isinstance(arg, str):
        arg = arg.split(".", 1)
    logical_id, attribute = arg[0], ev.resolve(arg[1])
    return ev._getatt(logical_id, attribute)


def _fn_join(ev: Evaluator, arg: Any) -> Any:
    delimiter, items = arg[0], ev.resolve(arg[1])
    unknown = _known(items)
    return unknown or delimiter.join(str(i) for i in items)


def _fn_sub(ev: Evaluator, arg: Any) -> Any:
    text, variables = (arg[0], ev.resolve(arg[1])) if isinstance(arg, list) else (arg, {})
    values: list[Any] = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in variables:
            value = variables[name]
        elif "." in name and name.split(".", 1)[0] not in ev.parameters:
            value = ev._getatt(*name.split(".", 1))
        else:
            value = ev.ref(name)
        values.append(value)
        return "" if isinstance(value, Unknown) else str(value)

    result = _SUB_VARIABLE.sub(replace, text).replace("${!", "${")
    return _known(*values) or result


def _fn_select(ev: Evaluator, arg: Any) -> Any:
    index, items = ev.resolve(arg[0]), ev.resolve(arg[1])
    unknown = _known(index, items)
    if unknown:
        return unknown
    try:
        return items[int(index)]
    except (IndexError, ValueError, TypeError) as err:
        raise ValidationError(f"Template error: Fn::Select cannot select index {index}") from err


def _fn_split(ev: Evaluator, arg: Any) -> Any:
    text = ev.resolve(arg[1])
    return _known(text) or text.split(arg[0])


def _fn_if(ev: Evaluator, arg: Any) -> Any:
    return ev.resolve(arg[1] if ev.condition(arg[0]) else arg[2])


def _fn_equals(ev: Evaluator, arg: Any) -> Any:
    left, right = ev.resolve(arg[0]), ev.resolve(arg[1])
    return _known(left, right) or str(left) == str(right)


def _fn_and(ev: Evaluator, arg: Any) -> Any:
    return all(_truth(ev, a) for a in arg)


def _fn_or(ev: Evaluator, arg: Any) -> Any:
    return any(_truth(ev, a) for a in arg)


def _fn_not(ev: Evaluator, arg: Any) -> Any:
    return not _truth(ev, arg[0])


def _truth(ev: Evaluator, value: Any) -> bool:
    resolved = ev.resolve(value)
    return True if isinstance(resolved, Unknown) else bool(resolved)


def _fn_condition(ev: Evaluator, arg: Any) -> Any:
    return ev.condition(arg)


def _fn_find_in_map(ev: Evaluator, arg: Any) -> Any:
    keys = [ev.resolve(a) for a in arg[:3]]
    try:
        return ev.template["Mappings"][keys[0]][keys[1]][keys[2]]
    except (KeyError, TypeError) as err:
        raise ValidationError(
            f"Template error: Unable to get mapping for {'::'.join(map(str, keys))}"
        ) from err


def _fn_base64(ev: Evaluator, arg: Any) -> Any:
    text = ev.resolve(arg)
    return _known(text) or base64.b64encode(str(text).encode()).decode()


def _fn_get_azs(ev: Evaluator, arg: Any) -> Any:
    """The region's zones as the emulator's EC2 knows them (us-east-1 has six), so subnets fit."""
    region = ev.resolve(arg) or ev.pseudo["AWS::Region"]
    return [zone.name for zone in RegionsAndZonesBackend.zones.get(region, [])]


def _fn_cidr(ev: Evaluator, arg: Any) -> Any:
    block, count, bits = (ev.resolve(a) for a in arg)
    unknown = _known(block, count, bits)
    if unknown:
        return unknown
    network = ipaddress.ip_network(block, strict=False)
    subnets = network.subnets(new_prefix=network.max_prefixlen - int(bits))
    return [str(next(subnets)) for _ in range(int(count))]


def _fn_import_value(ev: Evaluator, arg: Any) -> Any:
    name = ev.resolve(arg)
    if ev._import_value is None:
        raise ValidationError("Fn::ImportValue is not supported here")
    return _known(name) or ev._import_value(name)


def _fn_to_json_string(ev: Evaluator, arg: Any) -> Any:
    value = ev.resolve(arg)
    return _known(value) or json.dumps(value, separators=(",", ":"))


_FUNCTIONS: dict[str, Callable[[Evaluator, Any], Any]] = {
    "Ref": _fn_ref,
    "Fn::GetAtt": _fn_getatt,
    "Fn::Join": _fn_join,
    "Fn::Sub": _fn_sub,
    "Fn::Select": _fn_select,
    "Fn::Split": _fn_split,
    "Fn::If": _fn_if,
    "Fn::Equals": _fn_equals,
    "Fn::And": _fn_and,
    "Fn::Or": _fn_or,
    "Fn::Not": _fn_not,
    "Condition": _fn_condition,
    "Fn::FindInMap": _fn_find_in_map,
    "Fn::Base64": _fn_base64,
    "Fn::GetAZs": _fn_get_azs,
    "Fn::Cidr": _fn_cidr,
    "Fn::ImportValue": _fn_import_value,
    "Fn::ToJsonString": _fn_to_json_string,
}
