"""Change sets: create one for the whole stack set, wait for it, describe the tree, delete.

``IncludeNestedStacks`` makes CloudFormation build one nested change set per
nested stack; each is described (every page) so the plan shows what happens
inside the nested stacks, not just "Stack ServiceApi: Modify".
``ImportExistingResources`` (CloudFormation User Guide, "Import AWS resources into a
CloudFormation stack automatically") makes a retained, statically named resource that
exists outside any stack an ``Import`` of the plan instead of an "already exists" failure.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import botocore
import botocore.exceptions as bex
from fgc.compiler.stackset import StackSet
from fgc.deployer.errors import DeployFailed
from fgc.deployer.polling import Poll
from fgc.deployer.session import Aws, error_code
from fgc.deployer.stacks import describe as describe_stack
from fgc.spec.errors import UsageError

#: Looks at a deleted never-created stack before giving up waiting for it to go (deleting
#: a stack without resources takes CloudFormation a moment).
GONE_POLLS = 50

CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]
#: How CloudFormation says an update would change nothing (change set status reason / API error).
NO_CHANGES = ("didn't contain changes", "No updates are to be performed")


def change_set_name(now: datetime | None = None) -> str:
    """``fgc-YYYYMMDD-HHMMSS`` in UTC: sortable, and says when it was planned."""
    return (now or datetime.now(UTC)).strftime("fgc-%Y%m%d-%H%M%S")


def is_no_change(reason: str | None) -> bool:
    """True when a failed change set (or refused update) means "nothing to change"."""
    return reason is not None and any(text in reason for text in NO_CHANGES)


def create(
    aws: Aws,
    stack_set: StackSet,
    parameters: dict[str, str],
    change_set_type: str,
    name: str,
    template_url: str | None = None,
    revert_drift: bool = False,
) -> dict[str, str] | None:
    """Create the change set; ``{"Id", "StackId", "Name"}``, or None when the API says nothing changes.

    The root goes inline as ``TemplateBody`` unless ``template_url`` is given (a root
    over CloudFormation's inline limit is uploaded like the nested ones). A name taken
    already (two plans in one second) gets a ``-2``, ``-3``... suffix. ``revert_drift``
    makes it a drift-aware change set (:func:`deployment_mode`).
    """
    mode = deployment_mode(aws) if revert_drift and change_set_type == "UPDATE" else {}
    for attempt in range(1, 10):
        candidate = name if attempt == 1 else f"{name}-{attempt}"
        try:
            created = _create(aws, stack_set, parameters, change_set_type, candidate, template_url, mode)
        except bex.ClientError as err:
            if error_code(err) != "AlreadyExistsException":
                raise
            continue
        return created and {"Id": created["Id"], "StackId": created["StackId"], "Name": candidate}
    raise DeployFailed(f"change set names {name}-* are all taken on {stack_set.stack_name}")


def _create(
    aws: Aws,
    stack_set: StackSet,
    parameters: dict[str, str],
    change_set_type: str,
    name: str,
    template_url: str | None,
    mode: dict[str, str],
) -> dict[str, str] | None:
    source = {"TemplateURL": template_url} if template_url else {"TemplateBody": stack_set.root.body}
    try:
        return aws.client("cloudformation").create_change_set(
            StackName=stack_set.stack_name,
            ChangeSetName=name,
            ChangeSetType=change_set_type,
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=CAPABILITIES,
            IncludeNestedStacks=True,
            # a retained resource (log group, repository) left by a destroy or a failed create is
            # adopted by its fixed name instead of failing on "already exists"
            ImportExistingResources=True,
            Tags=[{"Key": k, "Value": v} for k, v in stack_set.tags.items()],
            Description=f"fgc {change_set_type.lower()} of {stack_set.stack_name}",
            **source,
            **mode,
        )
    except bex.ClientError as err:
        if error_code(err) == "ValidationError" and is_no_change(str(err)):
            return None
        raise


def deployment_mode(aws: Aws) -> dict[str, str]:
    """``DeploymentMode: REVERT_DRIFT`` for CreateChangeSet: a drift-aware change set, which also puts
    back what was changed outside CloudFormation ("Using drift-aware change sets", User Guide).
    An SDK too old to know the parameter cannot send it: that is said, rather than sending a plain
    change set that would leave the drift in place."""
    shape = aws.client("cloudformation").meta.service_model.operation_model("CreateChangeSet").input_shape
    if "DeploymentMode" not in shape.members:
        raise UsageError(
            "--revert-drift needs CreateChangeSet's DeploymentMode, which this botocore "
            f"({botocore.__version__}) does not have",
            "upgrade boto3 and botocore (pip install -U boto3), or deploy without --revert-drift",
        )
    return {"DeploymentMode": "REVERT_DRIFT"}


def wait_created(aws: Aws, change_set_id: str, poll: Poll) -> dict[str, Any]:
    """Poll until the change set is built; its first described page."""
    cfn = aws.client("cloudformation")
    poll = poll.fresh()
    while True:
        page = cfn.describe_change_set(ChangeSetName=change_set_id, IncludePropertyValues=True)
        if page["Status"] in ("CREATE_COMPLETE", "FAILED"):
            return page
        poll.sleep()


def describe_tree(aws: Aws, change_set_id: str, first: dict[str, Any] | None = None) -> dict[str, Any]:
    """The change set with every page's ``Changes`` merged, and ``Nested``: logical id -> subtree.

    Every page is asked with ``IncludePropertyValues`` (DescribeChangeSet, CloudFormation API
    Reference), so each change detail carries its property path and values before and after
    (``first``, when given, must have been asked the same way, as :func:`wait_created` does).
    """
    cfn = aws.client("cloudformation")
    page = first or cfn.describe_change_set(ChangeSetName=change_set_id, IncludePropertyValues=True)
    tree = {k: v for k, v in page.items() if k not in ("NextToken", "ResponseMetadata")}
    changes = list(page.get("Changes", []))
    while page.get("NextToken"):
        page = cfn.describe_change_set(
            ChangeSetName=change_set_id, NextToken=page["NextToken"], IncludePropertyValues=True
        )
        changes.extend(page.get("Changes", []))
    tree["Changes"] = changes
    tree["Nested"] = {}
    for change in changes:
        resource = change.get("ResourceChange", {})
        if resource.get("ChangeSetId"):
            tree["Nested"][resource["LogicalResourceId"]] = describe_tree(aws, resource["ChangeSetId"])
    return tree


def delete(aws: Aws, change_set_id: str) -> None:
    """Delete the change set (a root deletes its nested change sets with it)."""
    try:
        aws.client("cloudformation").delete_change_set(ChangeSetName=change_set_id)
    except bex.ClientError as err:
        if error_code(err) not in ("ChangeSetNotFound", "ChangeSetNotFoundException"):
            raise


def abandon(aws: Aws, change_set_id: str, stack_id: str | None, change_set_type: str, poll: Poll) -> None:
    """Delete the change set and, for a ``CREATE``, the stack CloudFormation made to hold it.

    A ``CREATE`` change set makes an empty stack in ``REVIEW_IN_PROGRESS``; deleting the
    change set leaves that stack behind (the DeleteChangeSet API reference says so for
    nested stacks only), and ``fgc diff`` of an app never deployed must leave nothing. The
    stack is deleted only while it is still empty and no other change set waits on it.
    """
    delete(aws, change_set_id)
    if change_set_type == "CREATE" and stack_id:
        remove_review_stack(aws, stack_id, poll)


def remove_review_stack(aws: Aws, stack_id: str, poll: Poll) -> bool:
    """Delete a never-created stack (``REVIEW_IN_PROGRESS``, no change sets), wait until it is gone."""
    state = describe_stack(aws, stack_id)
    if state is None or state.status != "REVIEW_IN_PROGRESS":
        return False
    cfn = aws.client("cloudformation")
    if cfn.list_change_sets(StackName=stack_id).get("Summaries"):
        return False  # someone else's plan waits on it
    cfn.delete_stack(StackName=stack_id)
    poll = poll.fresh()
    for _ in range(GONE_POLLS):
        state = describe_stack(aws, stack_id)
        if state is None or state.status == "DELETE_COMPLETE":
            break
        poll.sleep()
    return True


def failure(tree: dict[str, Any]) -> DeployFailed | None:
    """The error for a change set CloudFormation could not build (None when it built, or is empty)."""
    if tree.get("Status") != "FAILED" or is_no_change(tree.get("StatusReason")):
        return None
    return DeployFailed(
        f"CloudFormation could not plan {tree.get('StackName')}: {tree.get('StatusReason')}",
        "the templates were rejected; nothing was changed (a stack made only to hold the plan is deleted)",
    )
