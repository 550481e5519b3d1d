"""`fgc diff / deploy / status / logs / destroy` in-process, without a terminal, against the emulator."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.logs import log_group
from fgc.deployer.stacks import describe

from fgc import deployer

REPO_SPEC = Path(__file__).resolve().parents[2] / "fargate.yaml"


def test_diff_prints_the_plan_and_exit_code_says_changes(cli: Any, spec_file: Path, env: str) -> None:
    code, out, _ = cli("diff", "-f", str(spec_file), "--env", env)
    assert code == 0
    assert f"Plan for dtest-{env}" in out
    assert re.search(r"^ +service-web +\+ Service +AWS::ECS::Service ", out, re.MULTILINE), out

    code, out, _ = cli("diff", "-f", str(spec_file), "--env", env, "--output", "json", "--exit-code")
    assert code == 1
    plan = json.loads(out)
    assert plan["type"] == "CREATE" and not plan["empty"]
    assert any(c["logical_id"] == "TaskDefinition" for s in plan["stacks"] for c in s["changes"])


def test_deploy_without_terminal_or_yes_is_refused(cli: Any, spec_file: Path, env: str, session: Any) -> None:
    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env)
    assert code == 2
    assert "--yes" in err
    assert f"Plan for dtest-{env}" in out  # the plan was shown before refusing
    state = describe(session, f"dtest-{env}")
    # nothing was created, nothing left behind: the empty REVIEW_IN_PROGRESS stack that a CREATE
    # change set makes (DeleteChangeSet leaves it) was deleted with the plan
    assert state is None


def test_deploy_noop_and_parameter_change(
    cli: Any, spec_file: Path, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, out
    assert "CREATE_COMPLETE" in out and "WebUrl" in out

    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env)  # no --yes needed: nothing to confirm
    assert code == 0
    assert "No changes" in out

    monkeypatch.setenv("IMAGE_TAG", "1.26")
    code, out, _ = cli("diff", "-f", str(spec_file), "--env", env, "--exit-code")
    assert code == 1
    assert "WebImageTag: 1.25 -> 1.26" in out
    assert "replace" in out


def test_failed_create_names_the_cause_then_next_deploy_recovers(
    cli: Any, spec_file: Path, env: str, faults: Any, session: Any
) -> None:
    faults.fail("TargetGroup", on="create", reason="Injected: target group quota reached")
    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 1
    assert "service-web/TargetGroup (AWS::ElasticLoadBalancingV2::TargetGroup)" in err
    assert "Injected: target group quota reached" in err
    assert "Embedded stack" not in err
    assert describe(session, f"dtest-{env}").status == "ROLLBACK_COMPLETE"
    faults.clear_faults()

    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env)  # no terminal, no --yes: refuse
    assert code == 1 and "ROLLBACK_COMPLETE" in err and "--yes" in err

    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    assert "deleting dtest-" in out
    assert describe(session, f"dtest-{env}").status == "CREATE_COMPLETE"


def test_failed_update_rolls_back_then_fixed_spec_deploys(
    cli: Any, spec_file: Path, env: str, faults: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("deploy", "-f", str(spec_file), "--env", env, "--yes")[0] == 0
    faults.fail("Service", on="update", reason="Injected: service update refused")
    monkeypatch.setenv("IMAGE_TAG", "broken")
    code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 1
    assert "UPDATE_ROLLBACK_COMPLETE" in err and "service-web/Service (AWS::ECS::Service)" in err
    assert describe(session, f"dtest-{env}").parameters["WebImageTag"] == "1.25"
    faults.clear_faults()

    monkeypatch.setenv("IMAGE_TAG", "1.26")
    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    assert describe(session, f"dtest-{env}").status == "UPDATE_COMPLETE"


def test_busy_stack_is_waited_for_or_refused(
    build: Any, env: str, faults: Any, session: Any, cli: Any, spec_file: Path
) -> None:
    import threading

    templates = build(env)
    faults.hold(3.0, stack=templates.stack_name)
    background = threading.Thread(target=deployer.deploy, args=(templates, session))
    background.start()
    try:
        for _ in range(100):
            state = describe(session, templates.stack_name)
            if state and state.in_progress:
                break
            time.sleep(0.05)
        code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes", "--no-wait")
        assert code == 1 and "busy (CREATE_IN_PROGRESS)" in err
        code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
        assert code == 0, err
        assert "waiting for it to finish" in out and "No changes" in out
    finally:
        background.join()


def test_throttling_is_ridden_out(build: Any, env: str, faults: Any, session: Any) -> None:
    faults.throttle("DescribeStacks", 2)
    faults.throttle("CreateChangeSet", 2)
    faults.throttle("DescribeStackEvents", 2)
    result = deployer.deploy(build(env), session)
    assert result.status == "CREATE_COMPLETE"
    assert faults.faults() == []  # every throttle was hit and retried


def test_status_and_logs_of_a_deployed_stack(cli: Any, spec_file: Path, env: str, session: Any) -> None:
    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env, "--yes", "--wait-stable")
    assert code == 0 and "stable: " in out
    code, out, _ = cli("status", "-f", str(spec_file), "--env", env)
    assert code == 0
    assert f"dtest-{env}  CREATE_COMPLETE" in out
    assert "service-web" in out and "WebUrl" in out and "PRIMARY" in out

    group = log_group(session, f"dtest-{env}", "web", ["web"])
    logs = session.client("logs")
    now = int(time.time() * 1000)
    for stream, offsets in (("web/app/one", (0, 2000)), ("web/app/two", (1000, 3000))):
        logs.create_log_stream(logGroupName=group, logStreamName=stream)
        logs.put_log_events(
            logGroupName=group,
            logStreamName=stream,
            logEvents=[{"timestamp": now - 5000 + o, "message": f"{stream} at {o}"} for o in offsets],
        )
    code, out, _ = cli("logs", "web", "-f", str(spec_file), "--env", env, "--since", "1h")
    assert code == 0
    messages = [line.split("  ", 2)[2] for line in out.splitlines()]
    assert messages == [
        "web/app/one at 0",
        "web/app/two at 1000",
        "web/app/one at 2000",
        "web/app/two at 3000",
    ]

    code, _, err = cli("logs", "nope", "-f", str(spec_file), "--env", env)
    assert code == 2 and "web" in err


def test_destroy_keeps_registries_and_log_groups(cli: Any, session: Any, provide: Any, pushed: Any) -> None:
    provide(REPO_SPEC, env="dev")  # the secret created, as the guide does first
    pushed(REPO_SPEC, env="dev")  # the image in ECR under its content tag: the deploy builds nothing
    spec = ["-f", str(REPO_SPEC), "--env", "dev"]
    assert cli("deploy", *spec, "--yes")[0] == 0
    group = log_group(session, "flask-api-dev", "api", ["api"])
    assert group == "/ecs/flask-api-dev/api"

    code, _, err = cli("destroy", *spec)
    assert code == 2 and "--yes" in err
    code, out, err = cli("destroy", *spec, "--yes")
    assert code == 0, err
    assert "Kept (DeletionPolicy Retain)" in out and "AWS::Logs::LogGroup" in out
    assert "flask-api-registries is kept" in out
    assert describe(session, "flask-api-dev") is None
    assert session.client("ecr").describe_repositories(repositoryNames=["flask-api"])["repositories"]
    groups = session.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"]
    assert [g["logGroupName"] for g in groups] == [group]


def test_every_command_names_stacks_by_template_name(cli: Any, spec_file: Path, env: str) -> None:
    """Plan, progress, status and destroy all say `service-web`, never its logical id `ServiceWeb`."""
    spec = ["-f", str(spec_file), "--env", env]
    stack = f"dtest-{env}"
    code, out, _ = cli("deploy", *spec, "--yes")
    assert code == 0
    lines = out.splitlines()
    ticks = [n for n, line in enumerate(lines) if re.match(r"\s+\d+\.\ds  ", line)]
    summary = next(
        n for n, line in enumerate(lines) if re.fullmatch(r"\d+ to add, 0 to modify, 0 to remove", line)
    )
    # the table's rows, under the review's sections (risks, security, traffic)
    plan = [line.split()[0] for line in lines[1:summary] if re.match(r"  \S+ +[-+~>] ", line)]
    assert set(plan) == {"network", "cluster", "service-web"}  # the root's only resources are stacks
    assert summary < ticks[0]  # the plan (then its cost change) comes before the progress
    progress = [lines[n].split()[1:3] for n in ticks]
    assert {where for where, _ in progress} == {stack, "network", "cluster", "service-web"}
    in_root = {what for where, what in progress if where == stack}
    assert in_root == {"(stack)", "network", "cluster", "service-web"}

    code, out, _ = cli("status", *spec)
    assert code == 0
    nested = out.split("Services:")[0].splitlines()[1:]
    assert [line.split() for line in nested] == [
        ["network", "CREATE_COMPLETE"],
        ["cluster", "CREATE_COMPLETE"],
        ["service-web", "CREATE_COMPLETE"],
    ]
    services = out.split("Services:")[1].split("Outputs:")[0].splitlines()
    assert services[2].split()[:4] == ["web", "nginx:1.25", "1", "1/1/0"]  # spec name, image, revision
    assert "1 healthy / 1" in services[2]
    assert len(services) == 3 and "ECS deployment" not in out  # rolling: no production traffic lines
    events = out.split("Recent events:")[1]
    assert re.search(rf"{stack}\s+service-web\s+CREATE_COMPLETE", events) and "ServiceWeb" not in events
    assert re.search(r"service-web\s+Service\s+CREATE_COMPLETE", events)  # nested stacks' events too

    code, out, _ = cli("destroy", *spec, "--yes")
    assert code == 0
    listed = out.split("Kept")[0].splitlines()[1:]
    assert {line.split()[0] for line in listed} == {"network", "cluster", "service-web"}
