"""Failure paths: the status sequences and events CloudFormation documents, with faults injected."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any

import pytest

REASON = 'Resource handler returned message: "Invalid request provided" (HandlerErrorCode: InvalidRequest)'


def two_level(stacks: Any, value: str = "1", extra: bool = False) -> dict[str, Any]:
    child_resources = {"Inner": stacks.ssm("/app/inner", value)}
    if extra:
        child_resources["Added"] = stacks.ssm("/app/added", value)
    child = {"Resources": child_resources}
    return {
        "Resources": {
            "First": stacks.ssm("/app/first", value),
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {"TemplateURL": stacks.upload(child)},
                "DependsOn": "First",
            },
        }
    }


def test_failing_nested_resource_rolls_the_first_create_back(stacks, aws):
    stacks.emulator.fail("Inner", on="create", reason=REASON)

    stack = stacks.deploy("app", two_level(stacks))

    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events("app")
    child_id = next(
        e["PhysicalResourceId"]
        for e in events
        if e["LogicalResourceId"] == "Child" and e["PhysicalResourceId"]
    )
    child_events = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in stacks.events(child_id)]
    assert ("Inner", "CREATE_FAILED") in child_events
    failed = next(e for e in stacks.events(child_id) if e["ResourceStatus"] == "CREATE_FAILED")
    assert failed["ResourceStatusReason"] == REASON
    child_failure = next(
        e for e in events if e["LogicalResourceId"] == "Child" and e["ResourceStatus"] == "CREATE_FAILED"
    )
    assert child_failure["ResourceStatusReason"] == (
        f"Embedded stack {child_id} was not successfully created: The following resource(s) failed to create: [Inner]. "
    )
    assert stacks.statuses("app", "app") == [
        "REVIEW_IN_PROGRESS",
        "CREATE_IN_PROGRESS",
        "ROLLBACK_IN_PROGRESS",
        "ROLLBACK_COMPLETE",
    ]
    rollback = next(e for e in events if e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS")
    assert (
        rollback["ResourceStatusReason"]
        == "The following resource(s) failed to create: [Child]. Rollback requested by user."
    )
    assert stacks.statuses("app", "First")[-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert aws("ssm").describe_parameters()["Parameters"] == []
    cfn = aws("cloudformation")
    assert cfn.describe_stacks(StackName=child_id)["Stacks"][0]["StackStatus"] == "DELETE_COMPLETE"
    try:
        stacks.change_set("app", two_level(stacks), kind="UPDATE")
    except cfn.exceptions.ClientError as err:
        assert err.response["Error"]["Message"] == (
            f"Stack:{stack['StackId']} is in ROLLBACK_COMPLETE state and can not be updated."
        )
    else:
        raise AssertionError("a stack in ROLLBACK_COMPLETE cannot take an UPDATE change set")


def test_failing_update_rolls_back_to_the_old_template(stacks, aws):
    stacks.deploy("app", two_level(stacks, "1"))
    stacks.emulator.fail("AWS::SSM::Parameter", on="create", reason=REASON)

    stack = stacks.deploy("app", two_level(stacks, "2", extra=True))

    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert stacks.statuses("app", "app")[-4:] == [
        "UPDATE_IN_PROGRESS",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
    ]
    ssm = aws("ssm")
    values = {
        p["Name"]: ssm.get_parameter(Name=p["Name"])["Parameter"]["Value"]
        for p in ssm.describe_parameters()["Parameters"]
    }
    assert values == {"/app/first": "1", "/app/inner": "1"}
    child_id = stacks.nested_id("app", "Child")
    assert stacks.statuses(child_id, "Added") == ["CREATE_IN_PROGRESS", "CREATE_FAILED", "DELETE_COMPLETE"]
    assert stacks.statuses(child_id, child_id.split("/")[1])[-2:] == [
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
    ]
    child_failure = [e for e in stacks.events("app") if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert child_failure[0]["LogicalResourceId"] == "Child"
    assert child_failure[0]["ResourceStatusReason"].startswith(
        f"Embedded stack {child_id} was not successfully updated."
    )
    # the stack works again: the next update goes through
    stacks.emulator.clear_faults()
    assert stacks.deploy("app", two_level(stacks, "3"))["StackStatus"] == "UPDATE_COMPLETE"
    assert ssm.get_parameter(Name="/app/inner")["Parameter"]["Value"] == "3"


def test_failure_on_update_in_place_keeps_the_old_value(stacks, aws):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1"), "B": stacks.ssm("/app/b", "1")}})
    stacks.emulator.fail("B", on="update", reason=REASON)

    stack = stacks.deploy(
        "app", {"Resources": {"A": stacks.ssm("/app/a", "2"), "B": stacks.ssm("/app/b", "2")}}
    )

    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert aws("ssm").get_parameter(Name="/app/a")["Parameter"]["Value"] == "1"
    failed = [e for e in stacks.events("app") if e["ResourceStatus"] == "UPDATE_FAILED"]
    assert [(e["LogicalResourceId"], e["ResourceStatusReason"]) for e in failed] == [("B", REASON)]


def test_unsupported_resource_type_fails_the_deploy_with_a_clear_reason(stacks):
    template = {
        "Resources": {
            "Cache": {
                "Type": "AWS::ElastiCache::ServerlessCache",
                "Properties": {"Engine": "redis", "ServerlessCacheName": "c"},
            }
        }
    }

    stack = stacks.deploy("app", template)

    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    failed = next(e for e in stacks.events("app") if e["ResourceStatus"] == "CREATE_FAILED")
    assert (
        "AWS::ElastiCache::ServerlessCache is not supported by the fgc emulator"
        in failed["ResourceStatusReason"]
    )


def test_stack_held_in_progress_refuses_other_operations(stacks, aws):
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1")}})
    stacks.emulator.hold(1.0, stack="app")
    cfn = aws("cloudformation")
    change_set = stacks.change_set("app", {"Resources": {"A": stacks.ssm("/app/a", "2")}})
    cfn.execute_change_set(ChangeSetName=change_set["ChangeSetId"])

    described = cfn.describe_stacks(StackName="app")["Stacks"][0]
    refusals = []
    for call in (
        lambda: stacks.change_set("app", {"Resources": {"A": stacks.ssm("/app/a", "3")}}),
        lambda: cfn.delete_stack(StackName="app"),
    ):
        try:
            call()
        except cfn.exceptions.ClientError as err:
            refusals.append(err.response["Error"]["Message"])

    assert described["StackStatus"] == "UPDATE_IN_PROGRESS"
    assert refusals == [
        f"Stack:{described['StackId']} is in UPDATE_IN_PROGRESS state and can not be updated.",
        "Stack [app] cannot be deleted while in status UPDATE_IN_PROGRESS",
    ]
    assert stacks.wait("app")["StackStatus"] == "UPDATE_COMPLETE"


def test_throttling_fault_over_http_answers_rate_exceeded(stacks, aws):
    request = urllib.request.Request(
        f"{stacks.emulator.url}/_fgc/faults",
        data=json.dumps({"kind": "throttle", "operation": "DescribeStacks", "count": 2}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request) as answer:  # noqa: S310 - loopback emulator
        assert json.loads(answer.read())["faults"][0]["count"] == 2
    cfn = aws("cloudformation")
    errors = []
    for _ in range(3):
        try:
            cfn.describe_stacks()
        except cfn.exceptions.ClientError as err:
            errors.append(
                (
                    err.response["ResponseMetadata"]["HTTPStatusCode"],
                    err.response["Error"]["Code"],
                    err.response["Error"]["Message"],
                )
            )
    assert errors == [(400, "Throttling", "Rate exceeded")] * 2
    assert stacks.emulator.faults() == []


def test_throttling_applies_to_json_protocol_services(stacks, aws):
    stacks.emulator.throttle("ListClusters")
    ecs = aws("ecs")
    try:
        ecs.list_clusters()
    except ecs.exceptions.ClientError as err:
        assert err.response["Error"]["Code"] == "ThrottlingException"
    else:
        raise AssertionError("ListClusters should have been throttled")
    assert ecs.list_clusters()["clusterArns"] == []


def test_fault_control_api_rejects_nonsense_and_clears(stacks):
    url = f"{stacks.emulator.url}/_fgc/faults"
    bad = urllib.request.Request(url, data=b'{"kind": "explode"}', method="POST")
    try:
        urllib.request.urlopen(bad)  # noqa: S310
    except urllib.error.HTTPError as err:
        assert err.code == 400
    else:
        raise AssertionError("an unknown fault kind must be refused")
    stacks.emulator.fail("X")
    with urllib.request.urlopen(urllib.request.Request(url, method="DELETE")) as answer:  # noqa: S310
        assert json.loads(answer.read()) == {"faults": []}
    assert stacks.emulator.faults() == []


def test_hold_keeps_first_create_in_progress_for_pollers(stacks, aws):
    stacks.emulator.hold(0.5)
    change_set = stacks.change_set("app", {"Resources": {"A": stacks.ssm("/app/a", "1")}})
    aws("cloudformation").execute_change_set(ChangeSetName=change_set["ChangeSetId"])
    seen = set()
    done = threading.Event()

    def poll() -> None:
        while not done.is_set():
            seen.add(aws("cloudformation").describe_stacks(StackName="app")["Stacks"][0]["StackStatus"])
            time.sleep(0.05)

    poller = threading.Thread(target=poll)
    poller.start()
    final = stacks.wait("app")
    done.set()
    poller.join()
    assert "CREATE_IN_PROGRESS" in seen
    assert final["StackStatus"] == "CREATE_COMPLETE"


def test_failed_rollback_is_stuck_until_continue_update_rollback(stacks, aws):
    cfn = aws("cloudformation")
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1")}})
    stacks.emulator.fail("A", on="update", reason=REASON, phase="any")

    stuck = stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "2")}})

    assert stuck["StackStatus"] == "UPDATE_ROLLBACK_FAILED"
    assert stuck["StackStatusReason"] == "The following resource(s) failed to update: [A]. "
    with pytest.raises(
        cfn.exceptions.ClientError, match="is in UPDATE_ROLLBACK_FAILED state and can not be updated"
    ):
        stacks.change_set("app", {"Resources": {"A": stacks.ssm("/app/a", "3")}})
    stacks.emulator.clear_faults()
    cfn.continue_update_rollback(StackName="app")
    assert stacks.wait("app")["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert aws("ssm").get_parameter(Name="/app/a")["Parameter"]["Value"] == "1"
    with pytest.raises(cfn.exceptions.ClientError, match="can not continue update rollback"):
        cfn.continue_update_rollback(StackName="app")


def test_delete_failure_leaves_delete_failed_and_retain_resources_gets_past_it(stacks, aws):
    cfn = aws("cloudformation")
    stacks.deploy("app", {"Resources": {"A": stacks.ssm("/app/a", "1"), "B": stacks.ssm("/app/b", "1")}})
    stacks.emulator.fail("B", on="delete", reason=REASON)

    failed = stacks.delete("app")

    assert failed["StackStatus"] == "DELETE_FAILED"
    assert stacks.statuses("app", "B")[-1] == "DELETE_FAILED"
    stacks.emulator.clear_faults()
    cfn.delete_stack(StackName="app", RetainResources=["B"])
    assert stacks.wait(failed["StackId"])["StackStatus"] == "DELETE_COMPLETE"
    assert [p["Name"] for p in aws("ssm").describe_parameters()["Parameters"]] == ["/app/b"]


def test_resource_hold_makes_events_arrive_while_the_stack_is_in_progress(stacks, aws):
    stacks.emulator.hold(0.6, resource="Slow")
    template = {"Resources": {"Fast": stacks.ssm("/app/fast", "1"), "Slow": stacks.ssm("/app/slow", "1")}}
    template["Resources"]["Slow"]["DependsOn"] = "Fast"
    change_set = stacks.change_set("app", template)
    aws("cloudformation").execute_change_set(ChangeSetName=change_set["ChangeSetId"])

    deadline = time.monotonic() + 10
    while ("Fast", "CREATE_COMPLETE") not in [
        (e["LogicalResourceId"], e["ResourceStatus"]) for e in stacks.events("app")
    ]:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    midway = aws("cloudformation").describe_stacks(StackName="app")["Stacks"][0]

    assert midway["StackStatus"] == "CREATE_IN_PROGRESS"
    assert stacks.statuses("app", "Slow") == ["CREATE_IN_PROGRESS"]
    assert stacks.wait("app")["StackStatus"] == "CREATE_COMPLETE"


def test_disable_rollback_leaves_create_failed(stacks, aws):
    stacks.emulator.fail("B", reason=REASON)
    template = {"Resources": {"A": stacks.ssm("/app/a", "1"), "B": stacks.ssm("/app/b", "1")}}
    change_set = stacks.change_set("app", template)
    aws("cloudformation").execute_change_set(ChangeSetName=change_set["ChangeSetId"], DisableRollback=True)

    stack = stacks.wait("app")

    assert stack["StackStatus"] == "CREATE_FAILED"
    assert [p["Name"] for p in aws("ssm").describe_parameters()["Parameters"]] == ["/app/a"]
