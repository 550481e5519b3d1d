"""Saved plans through the CLI against the emulator: `fgc diff --out`, `fgc deploy --plan`,
`fgc diff --discard`. What was reviewed is what runs, or nothing runs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.stacks import describe


def image_of(session: Any, stack: str) -> str:
    """The image of the web service's task definition, as the stack's ECS service runs it."""
    cfn, ecs = session.client("cloudformation"), session.client("ecs")
    outputs = {
        o["OutputKey"]: o["OutputValue"] for o in cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    }
    service = ecs.describe_services(
        cluster=outputs["ClusterName"], services=[outputs["ServiceWebServiceName"]]
    )
    task = ecs.describe_task_definition(taskDefinition=service["services"][0]["taskDefinition"])
    return str(task["taskDefinition"]["containerDefinitions"][0]["image"])


def change_sets(session: Any, stack: str) -> list[dict[str, Any]]:
    """The stack's change sets that are not executed (an executed one stays, EXECUTE_COMPLETE)."""
    summaries = session.client("cloudformation").list_change_sets(StackName=stack)["Summaries"]
    return [s for s in summaries if not s["ExecutionStatus"].startswith("EXECUTE")]


@pytest.fixture
def deployed(cli: Any, spec_file: Path, env: str) -> str:
    code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    return f"dtest-{env}"


def test_a_saved_plan_is_executed_exactly(
    cli: Any, spec_file: Path, env: str, deployed: str, session: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1.26")
    plan_file = tmp_path / "plan.json"
    code, out, err = cli("diff", "-f", str(spec_file), "--env", env, "--out", str(plan_file))
    assert code == 0, err
    assert "WebImageTag: 1.25 -> 1.26" in out and f"fgc deploy --plan {plan_file}" in err
    saved = json.loads(plan_file.read_text())
    (stack,) = saved["stacks"]
    assert (saved["kind"], saved["version"], saved["app"], saved["env"]) == ("fgc-plan", 1, "dtest", env)
    assert stack["stack_name"] == deployed and stack["parameters"]["WebImageTag"] == "1.26"
    assert set(stack["templates"]) >= {"root", "cluster", "service-web"}
    # the change set was kept, ready to execute
    (kept,) = change_sets(session, deployed)
    assert (kept["ChangeSetId"], kept["ExecutionStatus"]) == (stack["change_set_id"], "AVAILABLE")

    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--plan", str(plan_file), "--yes")
    assert code == 0, err
    assert f"{deployed}: UPDATE_COMPLETE" in out
    assert image_of(session, deployed).endswith(":1.26")
    described = session.client("cloudformation").describe_stacks(StackName=deployed)["Stacks"][0]
    assert described["ChangeSetId"] == stack["change_set_id"]  # that very change set ran


def test_a_saved_plan_is_refused_after_another_deploy(
    cli: Any, spec_file: Path, env: str, deployed: str, session: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1.26")
    plan_file = tmp_path / "plan.json"
    assert cli("diff", "-f", str(spec_file), "--env", env, "--out", str(plan_file))[0] == 0
    monkeypatch.setenv("IMAGE_TAG", "1.27")
    assert cli("deploy", "-f", str(spec_file), "--env", env, "--yes")[0] == 0
    monkeypatch.setenv("IMAGE_TAG", "1.26")  # the spec compiles as planned again: the stack moved

    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--plan", str(plan_file), "--yes")
    assert code == 1
    assert "the saved plan no longer holds; nothing was executed" in err
    assert f"{deployed} changed since the plan: CREATE_COMPLETE" in err and "-> UPDATE_COMPLETE" in err
    assert "no longer exists" in err  # executing the other plan deleted this change set
    assert image_of(session, deployed).endswith(":1.27")  # what the other deploy left


def test_a_saved_plan_is_refused_when_fargate_yaml_changed_and_discard_deletes_it(
    cli: Any, spec_file: Path, env: str, session: Any, tmp_path: Path
) -> None:
    plan_file = tmp_path / "plan.json"
    code, _, err = cli("diff", "-f", str(spec_file), "--env", env, "--out", str(plan_file))
    assert code == 0, err
    stack = f"dtest-{env}"
    assert describe(session, stack).status == "REVIEW_IN_PROGRESS"  # a CREATE plan holds the stack
    spec_file.write_text(spec_file.read_text().replace("retention: 7", "retention: 14"))

    code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--plan", str(plan_file), "--yes")
    assert code == 1
    assert f"{stack}: template service-web changed" in err
    assert "changed since the plan was made" in err
    assert "template cluster" not in err  # only what changed is named
    assert describe(session, stack).status == "REVIEW_IN_PROGRESS"  # nothing was executed
    assert [c["ExecutionStatus"] for c in change_sets(session, stack)] == ["AVAILABLE"]

    code, out, err = cli("diff", "--discard", str(plan_file))
    assert code == 0, err
    assert f"deleted change set {stack}: " in out
    assert describe(session, stack) is None  # the stack made only to hold the plan went with it

    code, out, _ = cli("diff", "--discard", str(plan_file))
    assert code == 0 and "gone already" in out


def test_a_plan_file_that_is_not_one_is_a_usage_error(
    cli: Any, spec_file: Path, env: str, tmp_path: Path
) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"stack": "x"}')
    code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--plan", str(other), "--yes")
    assert code == 2 and "not an fgc plan file" in err
    code, _, err = cli("diff", "-f", str(spec_file), "--env", env, "--out", str(other), "--local")
    assert code == 2 and "--out cannot be used with --local" in err


SOURCE_SPEC = """\
app: {app}
network:
  vpc: {{azs: 2, endpoints: true}}
registries:
  {app}-repo: {{keep: 5}}
services:
  web:
    image: {{build: ctx/, registry: {app}-repo}}
    port: 8080
environments:
  dev: {{}}
"""


def test_a_saved_plan_pins_the_image_built_from_source(
    cli: Any, session: Any, pushed: Any, tmp_path: Path
) -> None:
    """The plan holds the content tag it was made with: a changed build context is refused by name,
    the same one runs (its image is in ECR already, so nothing is built: FGC_BUILDER=none)."""
    app = f"pin{tmp_path.name[-6:].replace('_', '').lower()}"[:12]
    spec = tmp_path / "fargate.yaml"
    spec.write_text(SOURCE_SPEC.format(app=app))
    (tmp_path / "ctx").mkdir()
    (tmp_path / "ctx" / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    hello = tmp_path / "ctx" / "hello.txt"
    hello.write_text("hello\n")
    pushed(spec, env="dev")
    plan_file = tmp_path / "plan.json"
    code, out, err = cli("diff", "-f", str(spec), "--env", "dev", "--out", str(plan_file))
    assert code == 0, err
    saved = json.loads(plan_file.read_text())
    registries, environment = saved["stacks"]
    assert (registries["role"], registries["change_set_id"]) == ("registries", None)  # nothing to change
    (tag_name,) = [k for k in environment["parameters"] if k.endswith("ImageTag")]
    tag = environment["parameters"][tag_name]

    hello.write_text("hello again\n")  # a new content tag
    code, _, err = cli("deploy", "-f", str(spec), "--env", "dev", "--plan", str(plan_file), "--yes")
    assert code == 1
    assert f"{app}-dev: parameter {tag_name}: {tag} -> " in err
    assert describe(session, f"{app}-dev").status == "REVIEW_IN_PROGRESS"

    hello.write_text("hello\n")
    code, out, err = cli("deploy", "-f", str(spec), "--env", "dev", "--plan", str(plan_file), "--yes")
    assert code == 0, err
    assert f"{app}-dev: CREATE_COMPLETE" in out
    assert image_of(session, f"{app}-dev").endswith(f":{tag}")
