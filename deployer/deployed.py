"""What a stack set runs now: the deployed root and nested stacks' templates, read back.

``fgc diff`` and ``fgc deploy`` price it against the compiled stack set to show the
monthly cost change of a plan (:func:`fgc.compiler.cost.delta`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fgc.compiler.stackset import ROOT, StackSet
from fgc.deployer.plan import NESTED_STACK
from fgc.deployer.session import Aws, aws_call
from fgc.deployer.stacks import describe


def template(aws: Aws, stack_id: str) -> dict[str, Any]:
    """The template a stack was created or last updated with (``Original``: as sent, not processed)."""
    body = aws.client("cloudformation").get_template(StackName=stack_id, TemplateStage="Original")[
        "TemplateBody"
    ]
    return json.loads(body) if isinstance(body, str) else dict(body)


@aws_call
def deployed_stack_set(aws: Aws, stack_name: str, labels: Mapping[str, str]) -> StackSet | None:
    """The deployed templates as a stack set (``None`` when the stack was never deployed).

    ``labels`` (nested logical id -> part name, the compiled set's) names the parts; a
    nested stack the spec no longer has keeps its logical id as its name.
    """
    state = describe(aws, stack_name)
    if state is None or state.is_new:
        return None
    templates = {ROOT: template(aws, state.stack_id)}
    paginator = aws.client("cloudformation").get_paginator("list_stack_resources")
    for page in paginator.paginate(StackName=state.stack_id):
        for res in page["StackResourceSummaries"]:
            if res["ResourceType"] == NESTED_STACK and ":stack/" in res.get("PhysicalResourceId", ""):
                name = labels.get(res["LogicalResourceId"], res["LogicalResourceId"])
                templates[name] = template(aws, res["PhysicalResourceId"])
    return StackSet.of(stack_name, templates)
