"""CloudFormation's limits on the compiled stack set, reported at the spec key that caused them.

Most limits are known from the spec alone and checked there (``spec.deployable``); these
need the compiled output: a template's size (an environment expanded by YAML aliases),
its resource, parameter and output counts after overrides, and the size of a parameter
value (``ImageTags`` holds every service's tag). From the CloudFormation quotas page
(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html):
500 resources, 200 parameters and 200 outputs per template, 4,096 bytes per parameter
value, 1 MB per template body uploaded to S3.

`fgc validate` compiles only documents that could reach one of these
(:func:`fgc.spec.deployable.may_exceed`), so checking an ordinary file stays as fast as
loading it; see :func:`verify`.
"""

from __future__ import annotations

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


def verify(spec: Spec) -> None:
    """What `fgc validate` adds to loading a document that :func:`~fgc.spec.deployable.may_exceed`.

    Compile it (which runs :func:`check`); and when it has overrides, lint it too: the
    builders' own templates lint clean (the golden and property tests hold them to it), so a
    finding comes from an override and is reported at that override's key.
    """
    from fgc.compiler.build import compile
    from fgc.compiler.lint import lint

    stack_set = compile(spec)
    if not spec.overrides:
        return
    findings = lint(stack_set, regions=[spec.region] if spec.region else None)
    if findings:
        raise SpecError(
            [
                spec.problem_at(
                    ("overrides", f.template) if f.template in spec.overrides else ("overrides",),
                    f"after overrides, cfn-lint finds {f}",
                )
                for f in findings
            ]
        )


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
