"""Drift detection: each resource's template properties against what its service holds now.

CloudFormation's rules (DetectStackDrift and StackResourceDrift, API reference):

* "Only resource properties explicitly defined in the stack template are checked for drift": the
  expected side is the resource's resolved template properties, and of those only the ones its
  model reads back (``Resource.live`` in ``emulator.resources``); a type whose model reads nothing
  back is ``NOT_CHECKED``, as types without drift support are on AWS.
* A property differs as ``PropertyDifferences`` with a ``PropertyPath`` (``/DesiredCount``,
  ``/SecurityGroupIngress/2``) and a ``DifferenceType``: ``NOT_EQUAL`` for a changed value, ``ADD``
  for an element added to a list, ``REMOVE`` for a property or element that is gone.
* A resource that no longer exists is ``DELETED``; a stack with any ``MODIFIED`` or ``DELETED``
  resource is ``DRIFTED``.
* "When detecting drift on a stack, CloudFormation doesn't detect drift on any nested stacks
  belonging to that stack": a nested stack resource is not checked; callers detect each stack.

Values are compared as the API shows them (strings): a template's ``"7"`` equals a service's ``7``.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from .state import Resource, Stack, now
from .templates import STACK_TYPE

#: What a detection may run on (DetectStackDrift refuses a stack in progress or never created).
DETECTABLE = ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE")


def live_properties(resource: Resource) -> dict[str, Any] | None | str:
    """The resource's live properties; None when it is gone; ``"NOT_CHECKED"`` when its type is
    not checked (a nested stack, or a model that reads nothing back)."""
    live = getattr(resource.model, "live", None)  # moto's own models have none
    if resource.resource_type == STACK_TYPE or live is None:
        return "NOT_CHECKED"
    try:
        found: dict[str, Any] | None = live()
    except NotImplementedError:  # one of ours that reads nothing back (emulator.resources.base)
        return "NOT_CHECKED"
    return found


def _text(value: Any) -> str:
    """A value as the API shows it: scalars as text (booleans lower case), structures as JSON."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(_normal(value), sort_keys=True, separators=(",", ":"))
    return "null" if value is None else str(value)


def _normal(value: Any) -> Any:
    """Scalars as text, recursively, so ``8080`` and ``"8080"`` compare equal."""
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return _text(value)


def differences(expected: Any, actual: Any, path: str = "") -> list[dict[str, str]]:
    """``PropertyDifferences`` between a template value and a live one (empty when in sync)."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = []
        for key, value in expected.items():
            if actual.get(key) is None:
                found.append(_difference(f"{path}/{key}", value, None, "REMOVE"))
            else:
                found += differences(value, actual[key], f"{path}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        wanted, held = [_normal(v) for v in expected], [_normal(v) for v in actual]
        found = [
            _difference(f"{path}/{n}", expected[n], None, "REMOVE")
            for n, v in enumerate(wanted)
            if v not in held
        ]
        return found + [
            _difference(f"{path}/{n}", None, actual[n], "ADD") for n, v in enumerate(held) if v not in wanted
        ]
    if _normal(expected) != _normal(actual):
        return [_difference(path, expected, actual, "NOT_EQUAL")]
    return []


def _difference(path: str, expected: Any, actual: Any, kind: str) -> dict[str, str]:
    return {
        "PropertyPath": path,
        "ExpectedValue": _text(expected),
        "ActualValue": _text(actual),
        "DifferenceType": kind,
    }


def resource_drift(stack: Stack, resource: Resource) -> dict[str, Any]:
    """One ``StackResourceDrift``: the resource's template properties against its live state."""
    live = live_properties(resource)
    expected = resource.properties
    drift: dict[str, Any] = {
        "StackId": stack.stack_id,
        "LogicalResourceId": resource.logical_id,
        "PhysicalResourceId": resource.physical_id,
        "ResourceType": resource.resource_type,
        "ExpectedProperties": json.dumps(expected, sort_keys=True, default=str),
        "Timestamp": now(),
    }
    if live == "NOT_CHECKED":
        return {**drift, "StackResourceDriftStatus": "NOT_CHECKED", "PropertyDifferences": []}
    if live is None:
        return {**drift, "StackResourceDriftStatus": "DELETED", "PropertyDifferences": []}
    assert isinstance(live, dict)
    compared = {key: expected[key] for key in live if key in expected}
    found = differences(compared, live)
    actual = dict(expected)
    for key in compared:
        if live[key] is None:
            actual.pop(key)
        else:
            actual[key] = live[key]
    return {
        **drift,
        "ActualProperties": json.dumps(actual, sort_keys=True, default=str),
        "PropertyDifferences": found,
        "StackResourceDriftStatus": "MODIFIED" if found else "IN_SYNC",
    }


def detect(stack: Stack, logical_ids: list[str] | None = None) -> dict[str, Any]:
    """Check the stack's resources (all, or ``logical_ids``), remember each result on the resource
    and the stack's status on the stack; the detection, as DescribeStackDriftDetectionStatus answers."""
    resources = [r for r in list(stack.resources.values()) if not logical_ids or r.logical_id in logical_ids]
    for resource in resources:
        resource.drift = resource_drift(stack, resource)
    checked = [r.drift for r in list(stack.resources.values()) if r.drift is not None]
    drifted = sum(1 for d in checked if d["StackResourceDriftStatus"] in ("MODIFIED", "DELETED"))
    stack.drift_status = "DRIFTED" if drifted else "IN_SYNC"
    stack.drift_checked = now()
    return {
        "StackId": stack.stack_id,
        "StackDriftDetectionId": str(uuid.uuid4()),
        "StackDriftStatus": stack.drift_status,
        "DetectionStatus": "DETECTION_COMPLETE",
        "DriftedStackResourceCount": drifted,
        "Timestamp": stack.drift_checked,
    }


def drifted_properties(stack: Stack, resource: Resource) -> list[dict[str, str]]:
    """The resource's ``PropertyDifferences`` checked now (empty when in sync, gone or not checked)."""
    found: list[dict[str, str]] = resource_drift(stack, resource)["PropertyDifferences"]
    return found


def any_drift(stack: Stack) -> bool:
    """Whether a resource of the stack, or of a stack nested in it, has drifted now."""
    for resource in list(stack.resources.values()):
        if resource.resource_type == STACK_TYPE and isinstance(resource.model, Stack):
            if any_drift(resource.model):
                return True
        elif drifted_properties(stack, resource):
            return True
    return False
