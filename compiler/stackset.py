"""The compiler's output: the stack set, one value holding every part and its wiring.

A stack set is the root stack and its nested stacks (``network``, ``cluster``,
``registries``, ``service-<name>``), here called parts. Each :class:`Part` carries its
final template, its canonical text (``body``: what render writes, the deployer
uploads and the root references by sha256), where it is uploaded (``key``), and
where each of its parameters comes from (a :data:`Source`). The root template, the
upload keys and the labels of every view are read from this value; nothing else
re-derives them from names.

No troposphere here: the deployer and the CLI read stack sets without loading it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeAlias

from fgc.compiler.naming import stack_logical_id
from fgc.compiler.templates import canonical_json

#: Name of the root part (and of its file in ``fgc render``'s output).
ROOT = "root"


class WiringError(RuntimeError):
    """A part's parameters and their sources do not fit together: a bug in fgc, not in the spec."""


@dataclass(frozen=True)
class SpecValue:
    """A value written in fargate.yaml, passed as a literal (e.g. an existing VPC's id)."""

    value: str


@dataclass(frozen=True)
class RootParameter:
    """A root stack parameter (e.g. ``ApiImageTag``); with ``index``, that element of a list parameter."""

    name: str
    index: int | None = None


@dataclass(frozen=True)
class PartOutput:
    """The output ``output`` of the part named ``part`` (e.g. ``cluster``'s ``ClusterName``)."""

    part: str
    output: str


@dataclass(frozen=True)
class StackOutput:
    """The output ``output`` of another stack, deployed first (``<app>-registries``'s
    ``FlaskApiRepositoryUri``): the root declares a parameter of that name, whose value the
    deployer reads from that stack (see ``StackSet.external``)."""

    stack: str
    output: str


#: Where the root takes one parameter value of a part from.
Source: TypeAlias = SpecValue | RootParameter | PartOutput | StackOutput


@dataclass(frozen=True)
class Part:
    """One stack of the set: its template and, for a nested part, where its parameters come from.

    ``logical_id`` is the id of the part's ``AWS::CloudFormation::Stack`` in the root
    (``ServiceApi``); the root's own is the stack name. ``parameters`` maps each
    parameter the template declares to its :data:`Source` (empty for the root, whose
    values the deployer passes: ``StackSet.parameters`` and ``ArtifactsUrl``).
    ``depends_on`` names parts whose stacks must be updated first; ``service`` is the
    fargate.yaml service a ``service-<name>`` part belongs to.
    """

    name: str
    logical_id: str
    template: dict[str, Any] = field(repr=False)
    parameters: Mapping[str, Source] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    service: str | None = None

    @property
    def label(self) -> str:
        """What plans, progress, status and destroy call this stack: its name, as ``fgc render`` does."""
        return self.name

    @cached_property
    def body(self) -> str:
        """The canonical JSON text of the template (what is written, linted and uploaded)."""
        return canonical_json(self.template)

    @cached_property
    def sha256(self) -> str:
        """Hex sha256 of :attr:`body`."""
        return hashlib.sha256(self.body.encode()).hexdigest()

    @property
    def key(self) -> str:
        """Where the body is uploaded under the artifacts URL: content-addressed, so an
        unchanged template keeps its URL and CloudFormation skips its stack."""
        return f"templates/{self.sha256}.json"


@dataclass(frozen=True)
class StackSet:
    """One application's stacks: ``parts`` (the root first), the root stack's name,
    its parameter values and its stack tags.

    ``parameters`` are the values the deployer passes to the root stack (image tags);
    ``ArtifactsUrl`` is not among them because it depends on the account and region.
    ``external`` names the root parameters whose values the deployer reads from another
    stack's outputs (the repositories of ``<app>-registries``), deployed before this one.
    Reads by part name (``set["cluster"]`` is that template, ``body``, ``sha256``)
    stay as they were when the compiler returned plain templates.
    """

    stack_name: str
    parts: tuple[Part, ...]
    parameters: Mapping[str, str] = field(default_factory=dict)
    tags: Mapping[str, str] = field(default_factory=dict)
    external: Mapping[str, StackOutput] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        stack_name: str,
        templates: Mapping[str, dict[str, Any]],
        parameters: Mapping[str, str] | None = None,
    ) -> StackSet:
        """A stack set of ready-made templates (``root`` and the nested ones, by name) with no
        declared wiring: for linting or deploying templates fgc did not compile."""
        parts = tuple(
            Part(name, stack_name if name == ROOT else stack_logical_id(name), template)
            for name, template in templates.items()
        )
        return cls(stack_name, parts, dict(parameters or {}))

    def with_outputs(self, outputs: Mapping[str, str]) -> StackSet:
        """This stack set with the values of its ``external`` root parameters taken from
        ``outputs`` (the stack they come from, e.g. ``<app>-registries``). Before that stack
        exists, a placeholder names each value: CloudFormation needs one to plan a new stack."""
        values = {
            name: outputs.get(source.output) or f"(output {source.output} of {source.stack}, once created)"
            for name, source in self.external.items()
        }
        return dataclasses.replace(self, parameters={**self.parameters, **values})

    @cached_property
    def _by_name(self) -> dict[str, Part]:
        return {part.name: part for part in self.parts}

    def part(self, name: str) -> Part:
        """The part named ``name`` (``KeyError`` when there is none)."""
        return self._by_name[name]

    @property
    def root(self) -> Part:
        return self._by_name[ROOT]

    @property
    def nested(self) -> list[Part]:
        """Every part but the root, in order: the stacks the root holds."""
        return [part for part in self.parts if part.name != ROOT]

    @property
    def names(self) -> list[str]:
        return list(self._by_name)

    @property
    def labels(self) -> dict[str, str]:
        """Nested stack logical id -> label (``ServiceApi`` -> ``service-api``), for every view."""
        return {part.logical_id: part.label for part in self.nested}

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self.parts)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> dict[str, Any]:
        """The final template of the part ``name``."""
        return self._by_name[name].template

    def body(self, name: str) -> str:
        """The canonical JSON text of one part's template."""
        return self._by_name[name].body

    def sha256(self, name: str) -> str:
        """Hex sha256 of ``body(name)``."""
        return self._by_name[name].sha256

    def yaml(self, name: str) -> str:
        """YAML rendering for ``fgc render --format yaml`` (review only; deploy always sends JSON)."""
        import yaml

        return yaml.safe_dump(self[name], sort_keys=False, allow_unicode=True, width=110)
