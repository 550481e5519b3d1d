"""Retained resources by their fixed names: adopted when free, refused when another stack holds them.

Log groups (``/ecs/<stack>/<service>``) and repositories (``<registry>``) outlive their stacks
(``DeletionPolicy: Retain``) and have names fixed by the spec. Change sets are created with
``ImportExistingResources``, so one that exists and belongs to no stack is imported (the plan's
``Import``). One the plan still adds either does not exist yet or is held by another stack, which
CloudFormation would only report as "already exists" halfway through the deploy: here the
plan's added names are looked up first (``DescribeStackResources`` by ``PhysicalResourceId`` finds
the stack a resource belongs to, API reference) and a held one stops the deploy before it starts.
"""

from __future__ import annotations

from dataclasses import dataclass

import botocore.exceptions as bex
from fgc.compiler.stackset import StackSet
from fgc.deployer.errors import DeployFailed
from fgc.deployer.plan import Plan
from fgc.deployer.session import Aws, error_code

#: Retained resource types fgc names, and the property holding the name.
NAME_PROPERTIES = {"AWS::Logs::LogGroup": "LogGroupName", "AWS::ECR::Repository": "RepositoryName"}


@dataclass(frozen=True)
class HeldName:
    """A name the plan would create that the stack ``holder`` holds already."""

    resource_type: str
    name: str
    holder: str


def added_names(stack_set: StackSet, plan: Plan) -> list[tuple[str, str]]:
    """(type, name) of each retained, named resource the plan adds (rather than imports)."""
    found = []
    for stack in plan.root.walk():
        if stack.name not in stack_set:
            continue
        resources = stack_set[stack.name].get("Resources", {})
        for change in stack.changes:
            prop = NAME_PROPERTIES.get(change.resource_type)
            if change.action != "Add" or prop is None:
                continue
            name = resources.get(change.logical_id, {}).get("Properties", {}).get(prop)
            if isinstance(name, str):
                found.append((change.resource_type, name))
    return found


def held_names(aws: Aws, stack_set: StackSet, plan: Plan) -> list[HeldName]:
    """The names the plan adds that another stack holds (one API call per added name)."""
    cfn = aws.client("cloudformation")
    held = []
    for resource_type, name in added_names(stack_set, plan):
        try:
            owned = cfn.describe_stack_resources(PhysicalResourceId=name)["StackResources"]
        except bex.ClientError as err:
            if error_code(err) == "ValidationError" and "does not exist" in str(err):
                continue
            raise
        holders = [r["StackName"] for r in owned if r.get("PhysicalResourceId") == name] or [
            r["StackName"] for r in owned
        ]
        if holders and holders[0] != plan.stack_name:
            held.append(HeldName(resource_type, name, holders[0]))
    return held


def refusal(held: list[HeldName], stack_name: str) -> DeployFailed:
    """The preflight error for names held by other stacks: each name with its stack."""
    lines = "\n".join(f"  {h.resource_type} {h.name} belongs to the stack {h.holder}" for h in held)
    return DeployFailed(
        f"{stack_name} would create names that other stacks hold; nothing was changed:\n{lines}",
        "destroy that stack (or remove the resource from it), or rename the service or registry",
    )
