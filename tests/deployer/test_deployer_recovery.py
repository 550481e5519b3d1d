"""Recovering from what a deploy can leave behind: a rollback that failed, a rollout that never settles."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.stacks import describe


def test_failed_rollback_is_reported_refused_then_continued(
    cli: Any, spec_file: Path, env: str, faults: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = ["-f", str(spec_file), "--env", env]
    assert cli("deploy", *spec, "--yes")[0] == 0
    faults.fail("Service", on="update", reason="Injected: service update refused")
    faults.fail("Service", on="update", reason="Injected: old task definition gone", phase="rollback")
    monkeypatch.setenv("IMAGE_TAG", "1.26")

    code, _, err = cli("deploy", *spec, "--yes")
    assert code == 1
    assert describe(session, f"dtest-{env}").status == "UPDATE_ROLLBACK_FAILED"
    assert f"dtest-{env} failed (UPDATE_ROLLBACK_FAILED)" in err
    assert "service-web/Service (AWS::ECS::Service) UPDATE_FAILED: Injected: service update refused" in err
    assert "then the rollback failed: service-web/Service" in err and "old task definition gone" in err
    assert "fgc deploy --continue-rollback" in err

    code, out, err = cli("deploy", *spec, "--yes")  # a plain deploy cannot plan on this stack
    assert code == 1 and "Plan for" not in out
    assert "could not roll back its last update (UPDATE_ROLLBACK_FAILED)" in err
    assert "service-web/Service" in err and "old task definition gone" in err
    assert "fgc deploy --continue-rollback" in err

    faults.clear_faults()
    code, out, err = cli("deploy", *spec, "--yes", "--continue-rollback")
    assert code == 0, err
    assert f"continuing the rollback of dtest-{env}" in out
    assert "UPDATE_ROLLBACK_COMPLETE" in out and "WebImageTag: 1.25 -> 1.26" in out
    assert f"dtest-{env}: UPDATE_COMPLETE" in out
    state = describe(session, f"dtest-{env}")
    assert state.status == "UPDATE_COMPLETE" and state.parameters["WebImageTag"] == "1.26"


def test_wait_stable_names_the_service_that_falls_short_and_gives_up(
    cli: Any, spec_file: Path, env: str, emulator: Any, session: Any
) -> None:
    spec = ["-f", str(spec_file), "--env", env]
    assert cli("deploy", *spec, "--yes")[0] == 0
    (service,) = session.client("ecs").list_services(cluster=_cluster(session, env))["serviceArns"]
    emulator.stall_service(service, running=0)  # its tasks keep stopping: 0 of 1 running

    code, out, err = cli("deploy", *spec, "--yes", "--wait-stable", "--stable-timeout", "1s")
    assert code == 1
    assert "No changes" in out and "waiting up to 1s" in out
    assert "not stable after 1s: service-web (ECS service " in err
    assert "0 of 1 tasks running, 1 pending" in err and "`fgc logs web`" in err

    code, out, _ = cli("status", *spec)
    assert code == 0
    assert "0/1/1" in out and "IN_PROGRESS" in out and "0 healthy / 0" in out

    emulator.stall_service(service, running=0, rollout="FAILED")  # ECS's circuit breaker gave up
    code, _, err = cli("deploy", *spec, "--yes", "--wait-stable")  # fails at once, no timeout needed
    assert code == 1
    assert "ECS could not roll out service-web (ECS service " in err and "deployment FAILED" in err


def test_stall_hook_over_http_and_the_next_update_makes_the_service_steady(
    cli: Any, spec_file: Path, env: str, emulator: Any, session: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import urllib.request

    spec = ["-f", str(spec_file), "--env", env]
    assert cli("deploy", *spec, "--yes")[0] == 0
    (service,) = session.client("ecs").list_services(cluster=_cluster(session, env))["serviceArns"]
    request = urllib.request.Request(
        f"{emulator.url}/_fgc/ecs/stall",
        data=json.dumps({"service": service.split("/")[-1], "running": 0}).encode(),
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - the local emulator
        assert json.loads(answer.read())["runningCount"] == 0

    monkeypatch.setenv("IMAGE_TAG", "1.26")
    code, out, err = cli("deploy", *spec, "--yes", "--wait-stable")
    assert code == 0, err
    assert "stable: service-web 1/1 running" in out


def _cluster(session: Any, env: str) -> str:
    return describe(session, f"dtest-{env}").outputs["ClusterName"]
