"""Nothing left behind, nothing misleading: plans that clean up after themselves, and errors that say
what goes on (throttling past the retries, a concurrent deploy, an unknown profile)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config
from fgc.deployer.stacks import describe

from fgc import deployer

FGC = str(Path(sys.executable).parent / "fgc")

SELECT_OUT_OF_RANGE = """\
app: seltest
network:
  vpc: {azs: 2, endpoints: false}
services:
  web:
    image: public.ecr.aws/docker/library/nginx:1.25
    port: 8080
overrides:
  service-web:
    - {op: add, path: /Resources/LogGroup/Properties/LogGroupClass,
       value: {"Fn::Select": [9, {"Fn::GetAZs": ""}]}}
"""


def test_diff_of_an_app_never_deployed_leaves_no_stack(
    cli: Any, spec_file: Path, env: str, session: Any
) -> None:
    code, out, err = cli("diff", "-f", str(spec_file), "--env", env)
    assert code == 0, err
    assert "Plan for" in out
    assert describe(session, f"dtest-{env}") is None  # not even REVIEW_IN_PROGRESS
    code, _, err = cli("status", "-f", str(spec_file), "--env", env)
    assert code == 1 and "does not exist" in err


def test_plan_that_cloudformation_rejects_leaves_no_stack(cli: Any, tmp_path: Path, session: Any) -> None:
    spec = tmp_path / "fargate.yaml"
    spec.write_text(SELECT_OUT_OF_RANGE)
    code, _, err = cli("diff", "-f", str(spec))
    assert code == 1
    assert "Fn::Select cannot select index 9" in err and "nothing was changed" in err
    assert describe(session, "seltest") is None


def test_stack_holding_only_a_change_set_is_seen_by_status_and_destroy(
    cli: Any, spec_file: Path, env: str, build: Any, session: Any
) -> None:
    plan = deployer.plan(build(env), session)  # a CREATE change set left by someone: REVIEW_IN_PROGRESS
    assert describe(session, plan.stack_name).status == "REVIEW_IN_PROGRESS"
    code, out, err = cli("status", "-f", str(spec_file), "--env", env)
    assert code == 0, err
    assert f"{plan.stack_name}  REVIEW_IN_PROGRESS" in out
    assert "never deployed" in out
    code, out, err = cli("destroy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    assert describe(session, plan.stack_name) is None


def test_broken_pipe_before_the_plan_is_confirmed_executes_nothing(
    spec_file: Path, env: str, session: Any
) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader quit (`fgc deploy --yes | head -0`)
    try:
        done = subprocess.run(
            [FGC, "deploy", "-f", str(spec_file), "--env", env, "--yes"],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            env=os.environ,
        )
    finally:
        os.close(writer)
    assert done.returncode == 141, done.stderr
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr
    assert describe(session, f"dtest-{env}") is None  # the change set and its holder stack are gone


def test_throttling_past_the_retries_says_the_update_goes_on(
    env: str, build: Any, faults: Any, emulator: Any
) -> None:
    aws = deployer.connect(region="us-east-1", endpoint_url=emulator.url, credentials=("testing", "testing"))
    aws.config = Config(retries={"mode": "standard", "total_max_attempts": 2})  # retries run out quickly
    faults.throttle("DescribeStackEvents", count=2)  # first read while following the create
    with pytest.raises(deployer.AwsRefused) as caught:
        deployer.deploy(build(env), aws)
    assert caught.value.exit_code == 3
    assert "AWS limit reached on DescribeStackEvents" in caught.value.message
    assert "CloudFormation goes on with the operation" in caught.value.message
    assert "fgc status" in (caught.value.hint or "")
    state = describe(aws, f"dtest-{env}")
    assert state is not None and state.status in ("CREATE_IN_PROGRESS", "CREATE_COMPLETE")  # it went on


def deployed_with_two_updates(
    env: str, build: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> list[Any]:
    """Deploy the stack for ``env``; the templates of two different updates of it (tags 1.26, 1.27)."""
    deployer.deploy(build(env), session)
    updates = []
    for tag in ("1.26", "1.27"):
        monkeypatch.setenv("IMAGE_TAG", tag)
        updates.append(build(env))
    return updates


def test_the_loser_of_two_deploys_is_told_another_deploy_runs(
    env: str, build: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    loser, winner = deployed_with_two_updates(env, build, session, monkeypatch)

    def confirm(_plan: Any) -> bool:  # while the loser looks at its plan, the winner deploys
        deployer.deploy(winner, session)
        return True

    with pytest.raises(deployer.DeployFailed) as caught:
        deployer.deploy(loser, session, confirm=confirm)
    assert "another deploy of this stack is running" in caught.value.message
    assert "fgc status" in (caught.value.hint or "")
    assert describe(session, f"dtest-{env}").parameters["WebImageTag"] == "1.27"


def test_unknown_profile_is_named(cli: Any, spec_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_PROFILE", "nosuch")
    code, _, err = cli("status", "-f", str(spec_file))
    assert code == 3
    assert "AWS profile 'nosuch' not found" in err


def test_broken_pipe_after_the_plan_is_confirmed_follows_the_deploy_to_its_end(
    spec_file: Path, env: str, session: Any
) -> None:
    deploy = subprocess.Popen(
        [FGC, "deploy", "-f", str(spec_file), "--env", env, "--yes"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ,
    )
    assert deploy.stdout is not None and deploy.stderr is not None
    for line in deploy.stdout:  # the reader sees the plan, then quits while the create runs
        if " to add, " in line:
            break
    deploy.stdout.close()
    assert deploy.wait(timeout=300) == 0  # the outcome, though nobody reads it
    assert "Traceback" not in deploy.stderr.read()
    deploy.stderr.close()
    assert describe(session, f"dtest-{env}").status == "CREATE_COMPLETE"


def test_a_plan_confirmed_while_another_deploy_runs_says_so(
    env: str, build: Any, session: Any, faults: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    other, mine = deployed_with_two_updates(env, build, session, monkeypatch)
    faults.hold(3.0, stack=mine.stack_name)
    running = threading.Thread(target=deployer.deploy, args=(other, session))

    def confirm(_plan: Any) -> bool:  # while this plan waits for its "yes", another deploy starts
        running.start()
        for _ in range(200):
            if describe(session, mine.stack_name).in_progress:
                break
            time.sleep(0.05)
        return True

    try:
        with pytest.raises(deployer.DeployFailed) as caught:
            deployer.deploy(mine, session, confirm=confirm)
    finally:
        running.join()
    assert "another operation is running on the stack" in caught.value.message
    assert "UPDATE_IN_PROGRESS" in caught.value.message and "fgc status" in (caught.value.hint or "")
    assert describe(session, mine.stack_name).parameters["WebImageTag"] == "1.26"
