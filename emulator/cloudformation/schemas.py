"""Create-only properties per resource type, from the provider schemas cfn-lint ships.

A change to a create-only property is what makes CloudFormation replace a resource, so the
change-set `Replacement` / `RequiresRecreation` answers come from the same schemas AWS publishes.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path


@functools.cache
def _schemas_dir() -> Path:
    """cfn-lint's schema folder, found without importing cfn-lint (that costs seconds)."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("cfn-lint is required: its provider schemas give the create-only properties")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "schemas"


@functools.cache
def _schema_index() -> dict[str, str]:
    return json.loads((_schemas_dir() / "providers" / "us-east-1.json").read_text())


def is_known_type(resource_type: str) -> bool:
    """Whether CloudFormation has this resource type at all (custom resources always exist)."""
    return resource_type in _schema_index() or resource_type.startswith("Custom::")


@functools.cache
def create_only_properties(resource_type: str) -> frozenset[str]:
    """Top-level property names that cannot change without replacing the resource."""
    digest = _schema_index().get(resource_type)
    if digest is None:
        return frozenset()
    path = _schemas_dir() / "resources" / f"{digest}.json"
    schema = json.loads(path.read_text())
    return frozenset(
        pointer.split("/")[2]
        for pointer in schema.get("createOnlyProperties", [])
        if pointer.startswith("/properties/")
    )
