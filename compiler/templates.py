"""Templates as text: the order people read them in, and the one canonical serialisation.

:func:`canonical_json` is used everywhere (render writes it, the deployer uploads it,
the root references children by its sha256: see :class:`compiler.stackset.Part`), so
what a reviewer reads is byte for byte what CloudFormation receives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

_TOP_ORDER = (
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Conditions",
    "Resources",
    "Outputs",
)
_RESOURCE_ORDER = (
    "Type",
    "Condition",
    "DependsOn",
    "Metadata",
    "DeletionPolicy",
    "UpdateReplacePolicy",
    "Properties",
)


def _ordered(mapping: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    first = {k: mapping[k] for k in order if k in mapping}
    return {**first, **{k: v for k, v in mapping.items() if k not in first}}


def readable(template: dict[str, Any]) -> dict[str, Any]:
    """Sections and resource attributes in the order people read them (Type first, Properties last)."""
    result = _ordered(template, _TOP_ORDER)
    if "Resources" in result:
        result["Resources"] = {
            name: _ordered(resource, _RESOURCE_ORDER) for name, resource in result["Resources"].items()
        }
    return result


def canonical_json(template: Mapping[str, Any]) -> str:
    """Stable, diff-friendly JSON: key order as built (the builders are deterministic), UTF-8 kept."""
    return json.dumps(template, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
