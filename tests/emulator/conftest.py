"""Helpers for driving the emulator's CloudFormation engine through real boto3 calls."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from typing import Any

import pytest

BUCKET = "fgc-engine-tests"
SETTLE_SECONDS = 30


class Stacks:
    """Upload templates, run change sets and wait for stacks, as a deployer would."""

    def __init__(self, emulator: Any, aws: Callable[[str], Any]) -> None:
        self.emulator = emulator
        self.cfn = aws("cloudformation")
        self.s3 = aws("s3")
        self.s3.create_bucket(Bucket=BUCKET)

    @staticmethod
    def ssm(name: Any, value: Any, **extra: Any) -> dict[str, Any]:
        """An AWS::SSM::Parameter resource: cheap, readable back, updatable in place."""
        return {
            "Type": "AWS::SSM::Parameter",
            "Properties": {"Name": name, "Type": "String", "Value": value},
            **extra,
        }

    def upload(self, template: dict[str, Any]) -> str:
        body = json.dumps(template, sort_keys=True)
        key = f"templates/{hashlib.sha256(body.encode()).hexdigest()}.json"
        self.s3.put_object(Bucket=BUCKET, Key=key, Body=body.encode())
        return f"{self.emulator.url}/{BUCKET}/{key}"

    def deploy_compiled(self, templates: Any, registries: Any = None, **parameters: str) -> dict[str, Any]:
        """Deploy a compiled `StackSet` the way the deployer does: nested parts uploaded by content key,
        after its `registries` stack set (`<app>-registries`), whose outputs fill the root parameters
        the stack set declares as `external`."""
        outside: dict[str, str] = {}
        if registries is not None:
            if not self.exists(registries.stack_name):
                self.deploy(registries.stack_name, registries.body("root"))
            stack = self.cfn.describe_stacks(StackName=registries.stack_name)["Stacks"][0]
            assert stack["StackStatus"] == "CREATE_COMPLETE", self.failures()
            outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
            outside = {name: outputs[source.output] for name, source in templates.external.items()}
        for part in templates.nested:
            self.s3.put_object(Bucket=BUCKET, Key=part.key, Body=part.body.encode())
        values = {
            **templates.parameters,
            **outside,
            "ArtifactsUrl": f"{self.emulator.url}/{BUCKET}",
            **parameters,
        }
        return self.deploy(templates.stack_name, templates.body("root"), values)

    def change_set(
        self,
        name: str,
        template: dict[str, Any] | str,
        parameters: dict[str, str] | None = None,
        kind: str | None = None,
    ) -> dict[str, Any]:
        if kind is None:
            kind = "UPDATE" if self.exists(name) else "CREATE"
        created = self.cfn.create_change_set(
            StackName=name,
            ChangeSetName=f"cs-{time.monotonic_ns()}",
            ChangeSetType=kind,
            TemplateBody=template if isinstance(template, str) else json.dumps(template),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in (parameters or {}).items()],
            Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"],
            IncludeNestedStacks=True,
        )
        return self.cfn.describe_change_set(ChangeSetName=created["Id"])

    def exists(self, name: str) -> bool:
        try:
            status = self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackStatus"]
        except self.cfn.exceptions.ClientError:
            return False
        return status != "REVIEW_IN_PROGRESS"

    def deploy(
        self, name: str, template: dict[str, Any], parameters: dict[str, str] | None = None
    ) -> dict[str, Any]:
        change_set = self.change_set(name, template, parameters)
        assert change_set["Status"] == "CREATE_COMPLETE", change_set.get("StatusReason")
        self.cfn.execute_change_set(ChangeSetName=change_set["ChangeSetId"])
        return self.wait(change_set["StackId"])

    def delete(self, name: str) -> dict[str, Any]:
        stack_id = self.cfn.describe_stacks(StackName=name)["Stacks"][0]["StackId"]
        self.cfn.delete_stack(StackName=name)
        return self.wait(stack_id)

    def failures(self) -> list[tuple[str, str, str]]:
        """(stack, logical id, reason) of every FAILED event of every stack: for assertion messages."""
        return [
            (stack["StackName"], e["LogicalResourceId"], e.get("ResourceStatusReason", ""))
            for stack in self.cfn.list_stacks()["StackSummaries"]
            for e in self.events(stack["StackId"])
            if e["ResourceStatus"].endswith("_FAILED")
        ]

    def wait(self, stack: str) -> dict[str, Any]:
        deadline = time.monotonic() + SETTLE_SECONDS
        while True:
            described = self.cfn.describe_stacks(StackName=stack)["Stacks"][0]
            if not described["StackStatus"].endswith("_IN_PROGRESS"):
                return described
            assert time.monotonic() < deadline, f"{stack} stuck in {described['StackStatus']}"
            time.sleep(0.02)

    def events(self, stack: str) -> list[dict[str, Any]]:
        """All events of one stack, oldest first (the API pages newest first)."""
        events, token = [], None
        while True:
            page = self.cfn.describe_stack_events(StackName=stack, **({"NextToken": token} if token else {}))
            events += page["StackEvents"]
            token = page.get("NextToken")
            if not token:
                return list(reversed(events))

    def statuses(self, stack: str, logical_id: str | None = None) -> list[str]:
        return [
            e["ResourceStatus"] for e in self.events(stack) if logical_id in (None, e["LogicalResourceId"])
        ]

    def nested_id(self, stack: str, logical_id: str) -> str:
        resource = self.cfn.describe_stack_resource(StackName=stack, LogicalResourceId=logical_id)
        return resource["StackResourceDetail"]["PhysicalResourceId"]


@pytest.fixture
def stacks(clean_emulator: Any, aws: Callable[[str], Any]) -> Stacks:
    return Stacks(clean_emulator, aws)
