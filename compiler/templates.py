"""The compiler's output: every template of one stack set, in canonical text form.

``body(name)`` is the one serialisation used everywhere (render writes it, the
deployer uploads it, the root references children by its sha256), so what a
reviewer reads is byte for byte what CloudFormation receives.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

ROOT = "root"


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


@dataclass(frozen=True)
class Templates:
    """One stack set: the root stack's name, its templates (root first) and root parameter values.

    ``parameters`` are the values the deployer passes to the root stack (image tags);
    ``ArtifactsUrl`` is not among them because it depends on the account and region.
    ``tags`` are the stack-level tags the deployer sets on the root stack.
    """

    stack_name: str
    templates: Mapping[str, dict[str, Any]]
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    #: bodies already rendered by the compiler (it hashes children before building root)
    rendered: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def _bodies(self) -> dict[str, str]:
        return {name: self.rendered.get(name) or canonical_json(t) for name, t in self.templates.items()}

    @cached_property
    def _hashes(self) -> dict[str, str]:
        return {name: hashlib.sha256(b.encode()).hexdigest() for name, b in self._bodies.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self.templates)

    def __len__(self) -> int:
        return len(self.templates)

    def __contains__(self, name: object) -> bool:
        return name in self.templates

    def __getitem__(self, name: str) -> dict[str, Any]:
        return self.templates[name]

    @property
    def names(self) -> list[str]:
        return list(self.templates)

    def body(self, name: str) -> str:
        """The canonical JSON text of one template (what is written and uploaded)."""
        return self._bodies[name]

    def sha256(self, name: str) -> str:
        """Hex sha256 of ``body(name)``: the nested template's upload key."""
        return self._hashes[name]

    def key(self, name: str) -> str:
        """Object key under the artifacts URL where a nested template is uploaded."""
        return f"templates/{self.sha256(name)}.json"

    def yaml(self, name: str) -> str:
        """YAML rendering for ``fgc render --format yaml`` (review only; deploy always sends JSON)."""
        import yaml

        return yaml.safe_dump(self.templates[name], sort_keys=False, allow_unicode=True, width=110)
