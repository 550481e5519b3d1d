"""Drift: what was changed outside fgc, read from CloudFormation's drift detection, as values.

"When detecting drift on a stack, CloudFormation doesn't detect drift on any nested stacks belonging
to that stack. Perform DetectStackDrift directly on the nested stack itself" (DetectStackDrift, API
reference): so every stack of the set, root and nested, gets its own detection. They are started
together, then ``DescribeStackDriftDetectionStatus`` is polled until each is done, and
``DescribeStackResourceDrifts`` gives each resource's ``PropertyDifferences`` (expected -> actual,
``ADD`` / ``REMOVE`` / ``NOT_EQUAL``). Resources of types CloudFormation cannot check are counted as
such, never shown as in sync.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from fgc.deployer.plan import NESTED_STACK
from fgc.deployer.polling import Poll, default_poll
from fgc.deployer.session import Aws, aws_call
from fgc.deployer.stacks import require, resources, stack_name_of

#: Resource drift statuses that mean "changed outside CloudFormation".
DRIFTED = ("MODIFIED", "DELETED")


@dataclass(frozen=True)
class PropertyDrift:
    """One property changed outside fgc: ``kind`` is ADD / REMOVE / NOT_EQUAL (AWS's words)."""

    path: str
    expected: str
    actual: str
    kind: str


@dataclass(frozen=True)
class ResourceDrift:
    """A resource that drifted (``status`` MODIFIED or DELETED), in the stack labelled ``stack``."""

    stack: str
    logical_id: str
    resource_type: str
    physical_id: str
    status: str
    differences: tuple[PropertyDrift, ...] = ()


@dataclass
class StackDrift:
    """One stack set's drift: the drifted resources, and how many were checked or could not be."""

    stack_name: str
    drifted: list[ResourceDrift] = field(default_factory=list)
    checked: int = 0
    not_checked: int = 0
    failed: list[str] = field(default_factory=list)

    @property
    def in_sync(self) -> bool:
        return not self.drifted and not self.failed

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for ``fgc diff --drift --output json``."""
        return {
            "stack": self.stack_name,
            "drifted": not self.in_sync,
            "checked": self.checked,
            "not_checked": self.not_checked,
            "failed": self.failed,
            "resources": [
                {**asdict(r), "differences": [asdict(d) for d in r.differences]} for r in self.drifted
            ],
        }


@aws_call
def detect(
    aws: Aws, stack_name: str, labels: Mapping[str, str] | None = None, poll: Poll | None = None
) -> StackDrift:
    """Detect drift on the stack ``stack_name`` and every stack nested in it (``labels``: nested
    logical id -> template name, for the views)."""
    root = require(aws, stack_name)
    stacks = {root.stack_id: stack_name}
    for resource in resources(aws, root.stack_id, labels):
        if resource.resource_type == NESTED_STACK and ":stack/" in resource.physical_id:
            stacks[resource.physical_id] = (labels or {}).get(resource.logical_id, resource.logical_id)
    cfn = aws.client("cloudformation")
    started = {
        stack_id: cfn.detect_stack_drift(StackName=stack_id)["StackDriftDetectionId"] for stack_id in stacks
    }
    report = StackDrift(stack_name)
    poll = poll or default_poll()
    for stack_id, detection in started.items():
        status = _finished(cfn, detection, poll)
        if status["DetectionStatus"] == "DETECTION_FAILED":
            report.failed.append(
                f"{stacks[stack_id]}: {status.get('DetectionStatusReason') or 'no reason given'}"
            )
        _collect(cfn, stack_id, stacks[stack_id], report)
    return report


def _finished(cfn: Any, detection: str, poll: Poll) -> dict[str, Any]:
    poll = poll.fresh()
    while True:
        status: dict[str, Any] = cfn.describe_stack_drift_detection_status(StackDriftDetectionId=detection)
        if status["DetectionStatus"] != "DETECTION_IN_PROGRESS":
            return status
        poll.sleep()


def _collect(cfn: Any, stack_id: str, label: str, report: StackDrift) -> None:
    """Add one stack's checked resources to ``report`` (every page)."""
    token = None
    while True:
        page = cfn.describe_stack_resource_drifts(
            StackName=stack_id, **({"NextToken": token} if token else {})
        )
        for raw in page["StackResourceDrifts"]:
            status = raw["StackResourceDriftStatus"]
            if raw["ResourceType"] == NESTED_STACK:
                continue  # its own detection covers what is inside it
            if status in ("NOT_CHECKED", "UNKNOWN", "UNSUPPORTED"):
                report.not_checked += 1
                continue
            report.checked += 1
            if status in DRIFTED:
                report.drifted.append(_resource(raw, label or stack_name_of(stack_id)))
        token = page.get("NextToken")
        if not token:
            return


def _resource(raw: Mapping[str, Any], label: str) -> ResourceDrift:
    return ResourceDrift(
        stack=label,
        logical_id=raw["LogicalResourceId"],
        resource_type=raw["ResourceType"],
        physical_id=raw.get("PhysicalResourceId", ""),
        status=raw["StackResourceDriftStatus"],
        differences=tuple(
            PropertyDrift(d["PropertyPath"], d["ExpectedValue"], d["ActualValue"], d["DifferenceType"])
            for d in raw.get("PropertyDifferences") or []
        ),
    )
