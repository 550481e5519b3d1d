"""A part while its builder writes it: the troposphere template plus its parameters' sources.

Builders declare each parameter together with where the root takes its value from
(:meth:`Draft.parameter`), so a template never declares a parameter the root cannot
wire; :mod:`compiler.root` then checks every source against the other parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fgc.compiler.stackset import Source, WiringError
from troposphere import Parameter, Template


@dataclass
class Draft:
    """A nested part being built: ``name`` (``cluster``), its template, its parameters' sources.

    ``depends_on`` names parts whose stacks CloudFormation must update first;
    ``service`` is the fargate.yaml service of a ``service-<name>`` part.
    """

    name: str
    template: Template
    sources: dict[str, Source] = field(default_factory=dict)
    depends_on: tuple[str, ...] = ()
    service: str | None = None

    def parameter(self, name: str, source: Source | None, kind: str, description: str) -> Parameter:
        """Declare the template parameter ``name`` and where its value comes from.

        ``source`` None means the builder needs a value nothing provides: a bug, raised here.
        """
        if source is None:
            raise WiringError(f"{self.name}: parameter {name} has no source")
        self.sources[name] = source
        return self.template.add_parameter(Parameter(name, Type=kind, Description=description))
