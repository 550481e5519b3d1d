"""CloudFormation API actions: validation and refusals as CloudFormation words them.

Each handler takes the parsed request (botocore input shape) and returns the output structure;
`protocol.py` turns that into XML. Stack operations are started here and finish in the engine's
background thread.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import drift, templates
from .engine import Engine
from .errors import (
    AlreadyExists,
    ChangeSetNotFound,
    CloudFormationError,
    InvalidChangeSetStatus,
    ValidationError,
)
from .intrinsics import Unknown
from .planner import Planner
from .provider import ResourceFailure
from .state import ChangeSet, Registry, Resource, Stack, make_arn

EMPTY_CHANGE_SET = (
    "The submitted information didn't contain changes. Submit different information to create a change set."
)
PAGE_SIZE = {"DescribeStackEvents": 100, "DescribeChangeSet": 100, "ListStackResources": 100}
_NAME = re.compile(r"[a-zA-Z][-a-zA-Z0-9]*")
_NOT_UPDATABLE = (
    "ROLLBACK_COMPLETE",
    "ROLLBACK_FAILED",
    "CREATE_FAILED",
    "UPDATE_ROLLBACK_FAILED",
    "DELETE_FAILED",
)


class CloudFormationApi:
    def __init__(self, registry: Registry, engine: Engine, account: str) -> None:
        self.registry = registry
        self.engine = engine
        self.planner = Planner(registry)
        self.account = account

    def handler(self, action: str) -> Callable[[dict[str, Any], str], dict[str, Any]] | None:
        return getattr(self, f"_{action}", None)

    # -- lookups ---------------------------------------------------------------------------------
    def _stack(self, name: str, region: str) -> Stack:
        stack = self.registry.live_stack(name, region)
        if stack is None:
            raise ValidationError(f"Stack with id {name} does not exist")
        return stack

    def _change_set(self, name: str, stack_name: str | None, region: str) -> ChangeSet:
        with self.registry.lock:
            if name in self.registry.change_sets:
                return self.registry.change_sets[name]
            if stack_name is None and not name.startswith("arn:"):
                raise ValidationError(
                    "StackName must be specified if ChangeSetName is not specified as an ARN."
                )
            stack = self.registry.live_stack(stack_name or "", region)
            for change_set in reversed(self.registry.change_sets.values()):  # the newest of a reused name
                if stack is not None and change_set.stack is stack and change_set.name == name:
                    return change_set
        raise ChangeSetNotFound(f"ChangeSet [{name}] does not exist")

    @staticmethod
    def _refuse_if_busy(stack: Stack) -> None:
        if stack.in_progress and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )

    # -- change sets -----------------------------------------------------------------------------
    def _CreateChangeSet(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        name, cs_name = (
            _valid_name(p["StackName"], "stackName"),
            _valid_name(p["ChangeSetName"], "changeSetName"),
        )
        kind = p.get("ChangeSetType", "UPDATE")
        stack = self.registry.live_stack(name, region)
        if kind == "CREATE":
            if stack is not None and stack.status != "REVIEW_IN_PROGRESS":
                raise AlreadyExists(
                    f"Stack [{name}] already exists and cannot be created again "
                    f"with the changeSet [{cs_name}]."
                )
        elif kind == "UPDATE":
            if stack is None or stack.status == "REVIEW_IN_PROGRESS":
                raise ValidationError(f"Stack [{name}] does not exist")
            self._refuse_if_busy(stack)
            if stack.status in _NOT_UPDATABLE:
                raise ValidationError(
                    f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
                )
        else:
            raise ValidationError(f"ChangeSetType {kind} is not supported by the fgc emulator")
        template, body, parameters = self._template_and_parameters(p, stack if kind == "UPDATE" else None)
        capabilities = p.get("Capabilities") or []
        templates.check_capabilities(template, capabilities)
        if stack is None:
            stack = Stack(
                make_arn("stack", region, self.account, name),
                name,
                self.account,
                region,
                tags=p.get("Tags") or [],
                capabilities=capabilities,
            )
            self.registry.add_stack(stack)
            stack.set_status("REVIEW_IN_PROGRESS", "User Initiated")
        change_set = ChangeSet(
            change_set_id=make_arn("changeSet", region, self.account, cs_name),
            name=cs_name,
            stack=stack,
            change_set_type=kind,
            template=template,
            template_body=body,
            parameters=parameters,
            capabilities=capabilities,
            tags=p.get("Tags") or [],
            description=p.get("Description"),
            include_nested=bool(p.get("IncludeNestedStacks")),
            import_existing=bool(p.get("ImportExistingResources")),
            revert_drift=_deployment_mode(p.get("DeploymentMode")) == "REVERT_DRIFT",
        )
        with self.registry.lock:
            if any(
                cs.stack is stack and cs.name == cs_name and not cs.execution_status.startswith("EXECUTE")
                for cs in self.registry.change_sets.values()
            ):
                raise AlreadyExists(f"ChangeSet {cs_name} already exists")
            self.registry.change_sets[change_set.change_set_id] = change_set
        try:
            self.planner.plan(change_set)
        except (CloudFormationError, ResourceFailure) as err:
            change_set.status, change_set.reason = "FAILED", str(err)
            return {"Id": change_set.change_set_id, "StackId": stack.stack_id}
        if change_set.changes:
            change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
        else:
            change_set.status, change_set.reason = "FAILED", EMPTY_CHANGE_SET
        return {"Id": change_set.change_set_id, "StackId": stack.stack_id}

    def _template_and_parameters(
        self, p: dict[str, Any], stack: Stack | None
    ) -> tuple[dict[str, Any], str, dict[str, str]]:
        if p.get("UsePreviousTemplate"):
            if stack is None:
                raise ValidationError("UsePreviousTemplate can only be used with an existing stack")
            template, body = stack.template, stack.template_body
        else:
            template, body = templates.load(p.get("TemplateBody"), p.get("TemplateURL"), self.account)
        given = {
            item["ParameterKey"]: None if item.get("UsePreviousValue") else item.get("ParameterValue", "")
            for item in p.get("Parameters") or []
        }
        previous = stack.parameters if stack is not None else None
        return template, body, templates.resolve_parameters(template, given, previous)

    def _DescribeChangeSet(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        cs = self._change_set(p["ChangeSetName"], p.get("StackName"), region)
        changes, token = _page(
            [c.to_api(bool(p.get("IncludePropertyValues"))) for c in cs.changes],
            p.get("NextToken"),
            PAGE_SIZE["DescribeChangeSet"],
        )
        return {
            "ChangeSetName": cs.name,
            "ChangeSetId": cs.change_set_id,
            "StackId": cs.stack.stack_id,
            "StackName": cs.stack.name,
            "Description": cs.description,
            "Parameters": _parameters(cs.template, cs.parameters),
            "CreationTime": cs.created,
            "ExecutionStatus": cs.execution_status,
            "Status": cs.status,
            "StatusReason": cs.reason,
            "NotificationARNs": [],
            "Capabilities": cs.capabilities,
            "Tags": cs.tags,
            "Changes": changes,
            "NextToken": token,
            "IncludeNestedStacks": cs.include_nested,
            "ParentChangeSetId": cs.parent_id,
            "RootChangeSetId": cs.root_id,
            "ImportExistingResources": cs.import_existing,
            "DeploymentMode": "REVERT_DRIFT" if cs.revert_drift else None,
        }

    def _ListChangeSets(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        with self.registry.lock:
            sets = [cs for cs in self.registry.change_sets.values() if cs.stack is stack]
        return {
            "Summaries": [
                {
                    "StackId": stack.stack_id,
                    "StackName": stack.name,
                    "ChangeSetId": cs.change_set_id,
                    "ChangeSetName": cs.name,
                    "ExecutionStatus": cs.execution_status,
                    "Status": cs.status,
                    "StatusReason": cs.reason,
                    "CreationTime": cs.created,
                    "Description": cs.description,
                    "IncludeNestedStacks": cs.include_nested,
                    "ParentChangeSetId": cs.parent_id,
                    "RootChangeSetId": cs.root_id,
                    "ImportExistingResources": cs.import_existing,
                }
                for cs in sets
            ]
        }

    def _DeleteChangeSet(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        cs = self._change_set(p["ChangeSetName"], p.get("StackName"), region)
        if cs.execution_status == "EXECUTE_IN_PROGRESS":
            raise InvalidChangeSetStatus(
                f"Cannot delete ChangeSet [{cs.change_set_id}] in status {cs.execution_status}"
            )
        with self.registry.lock:
            for item in _with_nested(cs):
                self.registry.change_sets.pop(item.change_set_id, None)
        return {}

    def _ExecuteChangeSet(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        cs = self._change_set(p["ChangeSetName"], p.get("StackName"), region)
        stack = cs.stack
        if cs.parent_id is not None:
            raise ValidationError(
                f"ChangeSet [{cs.change_set_id}] is a nested change set; execute its root change set"
            )
        self._refuse_if_busy(stack)
        if cs.execution_status != "AVAILABLE":
            raise InvalidChangeSetStatus(
                f"ChangeSet [{cs.change_set_id}] cannot be executed in its current execution status of "
                f"[{cs.execution_status}]"
            )
        for item in _with_nested(cs):
            item.execution_status = "EXECUTE_IN_PROGRESS"
        stack.change_set_id = cs.change_set_id
        if cs.change_set_type == "CREATE":
            stack.template, stack.template_body, stack.parameters = (
                cs.template,
                cs.template_body,
                cs.parameters,
            )
            stack.capabilities, stack.tags, stack.description = (
                cs.capabilities,
                cs.tags,
                cs.template.get("Description"),
            )
            stack.disable_rollback = p.get("DisableRollback", False)
            self.engine.begin(stack, "CREATE_IN_PROGRESS")
            self.engine.spawn(stack, self._finish, cs, lambda: self.engine.run_create(stack, cs, begun=True))
        else:
            self.engine.begin_update(stack, cs.template, cs.template_body, cs.parameters)
            stack.capabilities, stack.description = cs.capabilities, cs.template.get("Description")
            stack.tags = cs.tags or stack.tags
            self.engine.spawn(
                stack,
                self._finish,
                cs,
                lambda: self.engine.run_update(
                    stack, cs.template, cs.template_body, cs.parameters, cs, begun=True
                ),
            )
        return {}

    def _finish(self, stack: Stack, cs: ChangeSet, work: Callable[[], bool]) -> None:
        """Run the operation, then settle the change sets the way CloudFormation does."""
        ok = work()
        for item in _with_nested(cs):
            item.execution_status = "EXECUTE_COMPLETE" if ok else "EXECUTE_FAILED"
        # "When you execute a change set, CloudFormation deletes all other change sets associated with
        # the stack because they aren't valid for the updated stack" (ExecuteChangeSet, API reference)
        with self.registry.lock:
            for other in list(self.registry.change_sets.values()):
                if other.stack is stack and other is not cs:
                    for item in _with_nested(other):
                        self.registry.change_sets.pop(item.change_set_id, None)

    # -- drift (drift.py) ------------------------------------------------------------------------
    def _DetectStackDrift(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        """Runs at once (AWS takes minutes): the detection is complete when the call returns."""
        stack = self._stack(p["StackName"], region)
        if stack.status not in drift.DETECTABLE:
            raise ValidationError(
                f"Stack {stack.stack_id} is in {stack.status} state; drift detection needs a stack "
                f"in one of {', '.join(drift.DETECTABLE)}"
            )
        detection = drift.detect(stack, p.get("LogicalResourceIds"))
        with self.registry.lock:
            self.registry.detections[detection["StackDriftDetectionId"]] = detection
        return {"StackDriftDetectionId": detection["StackDriftDetectionId"]}

    def _DescribeStackDriftDetectionStatus(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        with self.registry.lock:
            detection = self.registry.detections.get(p["StackDriftDetectionId"])
        if detection is None:
            raise ValidationError(f"Drift detection {p['StackDriftDetectionId']} does not exist")
        return detection

    def _DescribeStackResourceDrifts(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        wanted = set(p.get("StackResourceDriftStatusFilters") or [])
        drifts = [
            r.drift
            for r in list(stack.resources.values())
            if r.drift is not None and (not wanted or r.drift["StackResourceDriftStatus"] in wanted)
        ]
        page, token = _page(drifts, p.get("NextToken"), int(p.get("MaxResults") or 100))
        return {"StackResourceDrifts": page, "NextToken": token}

    def _DetectStackResourceDrift(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        resource = stack.resources.get(p["LogicalResourceId"])
        if resource is None:
            raise ValidationError(f"Resource {p['LogicalResourceId']} does not exist for stack {stack.name}")
        resource.drift = drift.resource_drift(stack, resource)
        return {"StackResourceDrift": resource.drift}

    # -- stacks ----------------------------------------------------------------------------------
    def _CreateStack(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        name = _valid_name(p["StackName"], "stackName")
        if self.registry.live_stack(name, region) is not None:
            raise AlreadyExists(f"Stack [{name}] already exists")
        template, body, parameters = self._template_and_parameters(p, None)
        capabilities = p.get("Capabilities") or []
        templates.check_capabilities(template, capabilities)
        stack = Stack(
            make_arn("stack", region, self.account, name),
            name,
            self.account,
            region,
            template=template,
            template_body=body,
            parameters=parameters,
            capabilities=capabilities,
            tags=p.get("Tags") or [],
            description=template.get("Description"),
            disable_rollback=bool(p.get("DisableRollback")) or p.get("OnFailure") == "DO_NOTHING",
        )
        self.registry.add_stack(stack)
        self.engine.begin(stack, "CREATE_IN_PROGRESS")
        self.engine.spawn(stack, lambda s: self.engine.run_create(s, begun=True))
        return {"StackId": stack.stack_id}

    def _UpdateStack(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        self._refuse_if_busy(stack)
        if stack.status in _NOT_UPDATABLE:
            raise ValidationError(
                f"Stack:{stack.stack_id} is in {stack.status} state and can not be updated."
            )
        template, body, parameters = self._template_and_parameters(p, stack)
        templates.check_capabilities(template, p.get("Capabilities") or [])
        probe = ChangeSet(
            "probe",
            "probe",
            stack,
            "UPDATE",
            template,
            body,
            parameters,
            capabilities=p.get("Capabilities") or [],
        )
        try:
            self.planner.plan(probe)
        except ResourceFailure as err:
            raise ValidationError(str(err)) from err
        if not probe.changes:
            raise ValidationError("No updates are to be performed.")
        self.engine.begin_update(stack, template, body, parameters)
        # a change set "might be ... in an OBSOLETE state because the stack was already updated"
        # (DescribeChangeSet, ExecutionStatus): an update without a change set leaves them, unusable
        with self.registry.lock:
            for other in list(self.registry.change_sets.values()):
                if other.stack is stack and other.execution_status == "AVAILABLE":
                    for item in _with_nested(other):
                        item.execution_status = "OBSOLETE"
        self.engine.spawn(stack, lambda s: self.engine.run_update(s, template, body, parameters, begun=True))
        return {"StackId": stack.stack_id}

    def _DeleteStack(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self.registry.live_stack(p["StackName"], region)
        if stack is None or stack.status == "DELETE_COMPLETE":
            return {}
        if stack.status == "DELETE_IN_PROGRESS":
            return {}
        if stack.in_progress and stack.status != "REVIEW_IN_PROGRESS":
            raise ValidationError(f"Stack [{stack.name}] cannot be deleted while in status {stack.status}")
        for logical_id in p.get("RetainResources") or []:
            if logical_id in stack.resources:
                stack.resources[logical_id].definition = {
                    **stack.resources[logical_id].definition,
                    "DeletionPolicy": "Retain",
                }
        self.engine.begin(stack, "DELETE_IN_PROGRESS")
        self.engine.spawn(stack, lambda s: self.engine.run_delete(s, begun=True))
        return {}

    def _ContinueUpdateRollback(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        if stack.status != "UPDATE_ROLLBACK_FAILED":
            raise ValidationError(
                f"Stack {stack.stack_id} is in {stack.status} state and can not continue update rollback."
            )
        stack.set_status("UPDATE_ROLLBACK_IN_PROGRESS")
        self.engine.spawn(stack, self.engine.continue_rollback, p.get("ResourcesToSkip") or [])
        return {}

    def _DescribeStacks(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        if p.get("StackName"):
            stacks = [self._stack(p["StackName"], region)]
        else:
            with self.registry.lock:
                stacks = [
                    s
                    for s in self.registry.stacks.values()
                    if s.region == region and s.status != "DELETE_COMPLETE"
                ]
        return {"Stacks": [_describe_stack(s) for s in stacks]}

    def _ListStacks(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        wanted = set(p.get("StackStatusFilter") or [])
        with self.registry.lock:
            stacks = [
                s
                for s in self.registry.stacks.values()
                if s.region == region and (not wanted or s.status in wanted)
            ]
        return {
            "StackSummaries": [
                {
                    "StackId": s.stack_id,
                    "StackName": s.name,
                    "TemplateDescription": s.description,
                    "CreationTime": s.created,
                    "LastUpdatedTime": s.updated,
                    "DeletionTime": s.deleted,
                    "StackStatus": s.status,
                    "StackStatusReason": s.reason,
                    "ParentId": s.parent_id,
                    "RootId": s.root_id,
                    "DriftInformation": {
                        "StackDriftStatus": s.drift_status,
                        "LastCheckTimestamp": s.drift_checked,
                    },
                }
                for s in stacks
            ]
        }

    def _DescribeStackEvents(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self.registry.live_stack(p["StackName"], region)
        if stack is None:
            raise ValidationError(f"Stack [{p['StackName']}] does not exist")
        with stack.lock:
            events = [e.to_api() for e in reversed(stack.events)]
        page, token = _page(events, p.get("NextToken"), PAGE_SIZE["DescribeStackEvents"])
        return {"StackEvents": page, "NextToken": token}

    def _DescribeStackResources(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        """By StackName, or by PhysicalResourceId: the resources of the stack that holds it (API
        reference, DescribeStackResources: "find which stack the instance belongs to")."""
        if bool(p.get("StackName")) == bool(p.get("PhysicalResourceId")):
            raise ValidationError("Exactly one of StackName or PhysicalResourceId must be specified")
        if p.get("PhysicalResourceId"):
            stack = self._holder(p["PhysicalResourceId"], region)
        else:
            stack = self._stack(p["StackName"], region)
        return {
            "StackResources": [
                {"StackName": stack.name, "StackId": stack.stack_id, **_resource_summary(r, "Timestamp")}
                for r in list(stack.resources.values())
                if p.get("LogicalResourceId") in (None, r.logical_id)
            ]
        }

    def _holder(self, physical_id: str, region: str) -> Stack:
        with self.registry.lock:
            stacks = [s for s in self.registry.stacks.values() if s.region == region]
        for stack in stacks:
            if stack.status != "DELETE_COMPLETE" and any(
                r.physical_id == physical_id for r in list(stack.resources.values())
            ):
                return stack
        raise ValidationError(f"Stack for {physical_id} does not exist")

    def _DescribeStackResource(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        resource = stack.resources.get(p["LogicalResourceId"])
        if resource is None:
            raise ValidationError(f"Resource {p['LogicalResourceId']} does not exist for stack {stack.name}")
        return {
            "StackResourceDetail": {
                "StackName": stack.name,
                "StackId": stack.stack_id,
                **_resource_summary(resource),
            }
        }

    def _ListStackResources(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        stack = self._stack(p["StackName"], region)
        summaries = [_resource_summary(r) for r in list(stack.resources.values())]
        page, token = _page(summaries, p.get("NextToken"), PAGE_SIZE["ListStackResources"])
        return {"StackResourceSummaries": page, "NextToken": token}

    def _GetTemplate(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        if p.get("ChangeSetName"):
            body = self._change_set(p["ChangeSetName"], p.get("StackName"), region).template_body
        else:
            body = self._stack(p["StackName"], region).template_body
        return {"TemplateBody": body, "StagesAvailable": ["Original", "Processed"]}

    def _ValidateTemplate(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        template, _ = templates.load(p.get("TemplateBody"), p.get("TemplateURL"), self.account)
        needed = sorted(templates.required_capabilities(template))
        return {
            "Parameters": [
                {
                    "ParameterKey": name,
                    "DefaultValue": None if "Default" not in d else str(d["Default"]),
                    "NoEcho": str(d.get("NoEcho", "false")).lower() == "true",
                    "Description": d.get("Description"),
                }
                for name, d in (template.get("Parameters") or {}).items()
            ],
            "Description": template.get("Description"),
            "Capabilities": needed,
            "CapabilitiesReason": "The following resource(s) require capabilities: [AWS::IAM::*]"
            if needed
            else None,
        }

    def _ListExports(self, p: dict[str, Any], region: str) -> dict[str, Any]:
        with self.registry.lock:
            stacks = [s for s in self.registry.stacks.values() if s.status != "DELETE_COMPLETE"]
        return {
            "Exports": [
                {"ExportingStackId": s.stack_id, "Name": o["ExportName"], "Value": o["OutputValue"]}
                for s in stacks
                for o in s.outputs
                if "ExportName" in o
            ]
        }


def _valid_name(name: str, field: str) -> str:
    if not _NAME.fullmatch(name) or len(name) > 128:
        raise ValidationError(
            f"1 validation error detected: Value '{name}' at '{field}' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*"
        )
    return name


def _deployment_mode(mode: str | None) -> str | None:
    """CreateChangeSet's ``DeploymentMode``: ``REVERT_DRIFT`` is its one value (botocore's enum)."""
    if mode not in (None, "REVERT_DRIFT"):
        raise ValidationError(
            f"1 validation error detected: Value '{mode}' at 'deploymentMode' failed to satisfy constraint: "
            "Member must satisfy enum value set: [REVERT_DRIFT]"
        )
    return mode


def _with_nested(cs: ChangeSet) -> list[ChangeSet]:
    return [cs, *(item for nested in cs.nested.values() for item in _with_nested(nested))]


def _page(items: list[Any], token: str | None, size: int) -> tuple[list[Any], str | None]:
    start = int(token) if token else 0
    end = start + size
    return items[start:end], (str(end) if end < len(items) else None)


def _parameters(template: dict[str, Any], values: dict[str, Any]) -> list[dict[str, Any]]:
    declared = template.get("Parameters") or {}
    result = []
    for name, value in values.items():
        if isinstance(value, Unknown):
            shown = "{{IntrinsicFunction:" + ",".join(sorted(value.sources)) + "}}"
        elif str(declared.get(name, {}).get("NoEcho", "false")).lower() == "true":
            shown = "****"
        else:
            shown = value
        result.append({"ParameterKey": name, "ParameterValue": shown})
    return result


def _resource_summary(resource: Resource, timestamp_key: str = "LastUpdatedTimestamp") -> dict[str, Any]:
    """One resource as the three resource-describing actions show it (DescribeStackResources
    names its timestamp ``Timestamp``, the other two ``LastUpdatedTimestamp``)."""
    return {
        "LogicalResourceId": resource.logical_id,
        "PhysicalResourceId": resource.physical_id,
        "ResourceType": resource.resource_type,
        timestamp_key: resource.updated,
        "ResourceStatus": resource.status,
        "ResourceStatusReason": resource.reason,
        "DriftInformation": {
            "StackResourceDriftStatus": resource.drift["StackResourceDriftStatus"]
            if resource.drift
            else "NOT_CHECKED",
            "LastCheckTimestamp": resource.drift["Timestamp"] if resource.drift else None,
        },
    }


def _describe_stack(stack: Stack) -> dict[str, Any]:
    return {
        "StackId": stack.stack_id,
        "StackName": stack.name,
        "ChangeSetId": stack.change_set_id,
        "Description": stack.description,
        "Parameters": _parameters(stack.template, stack.parameters),
        "CreationTime": stack.created,
        "DeletionTime": stack.deleted,
        "LastUpdatedTime": stack.updated,
        "StackStatus": stack.status,
        "StackStatusReason": stack.reason,
        "DisableRollback": stack.disable_rollback,
        "NotificationARNs": [],
        "Capabilities": stack.capabilities,
        "Outputs": stack.outputs,
        "Tags": stack.tags,
        "ParentId": stack.parent_id,
        "RootId": stack.root_id,
        "DriftInformation": {
            "StackDriftStatus": stack.drift_status,
            "LastCheckTimestamp": stack.drift_checked,
        },
    }
