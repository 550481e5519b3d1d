"""CloudFormation's limits on the compiled stack set, reported at the spec key that caused them.

Most limits are known from the spec alone and checked there (``spec.deployable``); these
need the compiled output: a template's size (an environment expanded by YAML aliases),
its resource, parameter and output counts after overrides, and the size of a parameter
value (``ImageTags`` holds every service's tag). From the CloudFormation quotas page
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
500 resources, 200 parameters and 200 outputs per template, 4,096 bytes per parameter
value, 1 MB per template body uploaded to S3.

`fgc validate` compiles only documents that could reach one of these (:func:`may_exceed`),
so checking an ordinary file stays as fast as loading it.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from fgc.spec.deployable import MAX_OUTPUTS, MAX_RESOURCES
from fgc.spec.errors import Problem, SpecError

if TYPE_CHECKING:
    from fgc.compiler.stackset import StackSet
    from fgc.spec.models import Spec
    from fgc.spec.yamlsource import Path

MAX_PARAMETERS = 200
MAX_PARAMETER_BYTES = 4096
MAX_TEMPLATE_BYTES = 1024 * 1024

#: Documents smaller than this (as JSON) compile to templates far under 1 MB: an entry of a
#: few bytes in the spec becomes at most ~15 times that in a template (indented JSON, and a
#: secret's ARN in both the container and the execution role's policy).
_SMALL_DOCUMENT = 32 * 1024
#: With at most this many services the root stays far under its parameter, output and size limits.
_FEW_SERVICES = 100


def may_exceed(spec: Spec) -> bool:
    """Whether ``spec`` could break a limit only its compiled templates show."""
    if spec.overrides or len(spec.services) > _FEW_SERVICES:
        return True
    source = spec._source
    data = source.data if source is not None else spec.model_dump(mode="json")
    return len(json.dumps(data, default=str)) > _SMALL_DOCUMENT


def check(spec: Spec, templates: StackSet) -> None:
    """Raise :class:`SpecError` listing every limit ``templates`` break, each at its spec key."""
    problems: list[Problem] = []
    for name in templates:
        template = templates[name]
        where = _owner(spec, name)
        size = len(templates.body(name).encode())
        if size > MAX_TEMPLATE_BYTES:
            problems.append(
                spec.problem_at(
                    where,
                    f"the {name} template is {size / 1048576:.2f} MB; CloudFormation takes at most 1 MB "
                    "(large environments or commands, perhaps repeated by YAML aliases?)",
                )
            )
        for section, most in (
            ("Resources", MAX_RESOURCES),
            ("Parameters", MAX_PARAMETERS),
            ("Outputs", MAX_OUTPUTS),
        ):
            count = len(template.get(section, {}))
            if count > most:
                problems.append(
                    spec.problem_at(
                        where,
                        f"the {name} template has {count} {section.lower()}; "
                        f"CloudFormation takes at most {most}",
                    )
                )
    for parameter, value in templates.parameters.items():
        size = len(value.encode())
        if size > MAX_PARAMETER_BYTES:
            problems.append(
                spec.problem_at(
                    ("services",),
                    f"the root parameter {parameter} would be {size} bytes (every service's image tag); "
                    f"CloudFormation takes at most {MAX_PARAMETER_BYTES}: use fewer services or shorter tags",
                )
            )
    if problems:
        raise SpecError(problems)


def _owner(spec: Spec, template: str) -> Path:
    """The spec key a template comes from: its overrides when it has some, else its part."""
    if template in spec.overrides:
        return ("overrides", template)
    if template.startswith("service-"):
        return ("services", template.removeprefix("service-"))
    return {"root": ("services",), "cluster": ("cluster",)}.get(template, (template,))
