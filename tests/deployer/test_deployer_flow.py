"""Create, no-op, image update and parameter changes through the library API, read back from the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from fgc.deployer.services import stack_services
from fgc.deployer.stacks import describe

from fgc import deployer


def pending_change_sets(session: Any, stack_name: str) -> list[str]:
    """Change sets of the stack that were never executed (what a plan must not leave behind); none
    when the stack itself is gone, as a plan for a new stack leaves it once discarded."""
    if describe(session, stack_name) is None:
        return []
    summaries = session.client("cloudformation").list_change_sets(StackName=stack_name)["Summaries"]
    return [s["ChangeSetName"] for s in summaries if s["ExecutionStatus"] != "EXECUTE_COMPLETE"]


def test_create_then_noop_leaves_no_change_set(session: Any, build: Any, env: str) -> None:
    templates = build(env)
    events: list[Any] = []
    result = deployer.deploy(templates, session, on_event=events.append)
    assert result.executed and result.status == "CREATE_COMPLETE"
    assert [v for k, v in result.outputs.items() if k.endswith("Url")][0].startswith("http://")
    assert {e.stack for e in events} >= {templates.stack_name, "network", "cluster", "service-web"}
    assert len({e.event_id for e in events}) == len(events)

    again = deployer.deploy(build(env), session)
    assert not again.executed and again.plan.is_empty and again.status == "CREATE_COMPLETE"
    assert pending_change_sets(session, templates.stack_name) == []


def test_image_tag_update_replaces_task_definition(
    session: Any, build: Any, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deployer.deploy(build(env), session)
    monkeypatch.setenv("IMAGE_TAG", "1.27")
    templates = build(env)
    plan = deployer.plan(templates, session)
    try:
        assert [(p.name, p.old, p.new) for p in plan.parameters] == [("WebImageTag", "1.25", "1.27")]
        service_stack = next(s for s in plan.root.walk() if s.name == "service-web")
        changes = {c.logical_id: c for c in service_stack.resource_changes()}
        assert changes["TaskDefinition"].action == "Modify"
        assert changes["TaskDefinition"].replacement == "True"
        assert changes["Service"].action == "Modify"
        assert "TaskDefinition" in changes["Service"].properties
        assert not plan.is_empty and plan.change_count >= 3
    finally:
        deployer.discard(session, plan)

    result = deployer.deploy(templates, session)
    assert result.status == "UPDATE_COMPLETE"
    (service,) = stack_services(session, templates.stack_name)
    assert service.images == ["public.ecr.aws/docker/library/nginx:1.27"]
    assert service.task_definition.endswith(f":task-definition/dtest-{env}-web:2")  # the second revision


def test_plan_of_a_new_stack_is_a_create_with_every_resource(session: Any, build: Any, env: str) -> None:
    plan = deployer.plan(build(env), session)
    deployer.discard(session, plan)
    assert plan.change_set_type == "CREATE" and plan.parameters == []
    names = [s.name for s in plan.root.walk()]
    assert names == ["root", "network", "cluster", "service-web"]
    assert all(c.action == "Add" for s in plan.root.walk() for c in s.resource_changes())
    assert pending_change_sets(session, plan.stack_name) == []


def test_artifacts_bucket_is_private_and_uploads_once(session: Any, build: Any, env: str) -> None:
    from fgc.deployer import artifacts

    templates = build(env)
    bucket = artifacts.bucket_name(session)
    assert bucket == "fgc-123456789012-us-east-1"
    artifacts.ensure_bucket(session, bucket)
    s3 = session.client("s3")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block.values())
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    nested = templates.nested
    assert artifacts.upload(session, bucket, nested) == [part.key for part in nested]
    assert artifacts.upload(session, bucket, nested) == []
    body = s3.get_object(Bucket=bucket, Key=templates.part("service-web").key)["Body"].read().decode()
    assert body == templates.body("service-web")
    assert artifacts.artifacts_url(session, bucket).startswith("http://localhost:")


def test_ctrl_c_at_the_question_deletes_the_change_set(session: Any, build: Any, env: str) -> None:
    templates = build(env)

    def interrupt(plan: deployer.Plan) -> bool:
        raise KeyboardInterrupt

    with pytest.raises(deployer.Interrupted, match="nothing changed"):
        deployer.deploy(templates, session, confirm=interrupt)
    assert pending_change_sets(session, templates.stack_name) == []


def test_declined_plan_changes_nothing(session: Any, build: Any, env: str) -> None:
    templates = build(env)
    result = deployer.deploy(templates, session, confirm=lambda plan: False)
    assert not result.executed and not result.plan.is_empty
    assert pending_change_sets(session, templates.stack_name) == []


def test_large_root_template_is_uploaded_not_inlined(session: Any, env: str) -> None:
    """A root over CloudFormation's 51,200-byte inline limit goes by URL, like its children."""
    from fgc.compiler.stackset import StackSet

    child = {
        "Parameters": {"Value": {"Type": "String"}},
        "Resources": {
            "Setting": {
                "Type": "AWS::SSM::Parameter",
                "Properties": {
                    "Name": {"Fn::Sub": "/${AWS::StackName}/setting"},
                    "Type": "String",
                    "Value": {"Ref": "Value"},
                },
            }
        },
        "Outputs": {"Name": {"Value": {"Ref": "Setting"}}},
    }
    child_sha = StackSet.of("x", {"child": child}).sha256("child")
    root = {
        "Metadata": {"Padding": "x" * 60_000},
        "Parameters": {"ArtifactsUrl": {"Type": "String"}, "Value": {"Type": "String"}},
        "Resources": {
            "Child": {
                "Type": "AWS::CloudFormation::Stack",
                "Properties": {
                    "TemplateURL": {"Fn::Sub": "${ArtifactsUrl}/templates/" + child_sha + ".json"},
                    "Parameters": {"Value": {"Ref": "Value"}},
                },
            }
        },
        "Outputs": {"SettingName": {"Value": {"Fn::GetAtt": ["Child", "Outputs.Name"]}}},
    }
    templates = StackSet.of(f"dlarge-{env}", {"root": root, "child": child}, {"Value": "one"})
    assert len(templates.body("root")) > 51_200
    result = deployer.deploy(templates, session)
    assert result.status == "CREATE_COMPLETE" and result.outputs["SettingName"]
    assert [s.name for s in result.plan.root.walk()] == ["root", "child"]
