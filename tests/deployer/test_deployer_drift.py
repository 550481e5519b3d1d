"""Drift through the CLI against the emulator: `fgc diff --drift` shows what was changed outside fgc
(here through the ECS API, as `aws ecs update-service --desired-count` would), and
`fgc deploy --revert-drift` puts it back with a drift-aware change set (DeploymentMode REVERT_DRIFT)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def web_service(session: Any, stack: str) -> tuple[str, str]:
    """(cluster, service) of the web service of ``stack``, from its outputs."""
    described = session.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described["Outputs"]}
    return outputs["ClusterName"], outputs["ServiceWebServiceName"]


def desired(session: Any, stack: str) -> int:
    cluster, service = web_service(session, stack)
    found = session.client("ecs").describe_services(cluster=cluster, services=[service])["services"][0]
    return int(found["desiredCount"])


@pytest.fixture
def deployed(cli: Any, spec_file: Path, env: str) -> str:
    """The shared spec with a fixed count instead of scaling: with scaling the template leaves
    DesiredCount to Application Auto Scaling, and only properties a template sets are checked for
    drift (DetectStackDrift, API reference)."""
    text = spec_file.read_text()
    spec_file.write_text(text.replace("    scaling: {min: 1, max: 3, cpu: 70}\n", "    count: 1\n"))
    assert "count: 1" in spec_file.read_text()
    code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    return f"dtest-{env}"


def test_drift_is_shown_then_reverted(
    cli: Any, spec_file: Path, env: str, deployed: str, session: Any
) -> None:
    args = ("-f", str(spec_file), "--env", env)
    code, out, err = cli("diff", *args, "--drift", "--exit-code")
    assert code == 0, err
    assert f"No drift: {deployed}" in out

    cluster, service = web_service(session, deployed)
    session.client("ecs").update_service(cluster=cluster, service=service, desiredCount=2)

    code, out, _ = cli("diff", *args, "--drift", "--exit-code")
    assert code == 1
    assert f"Drift of {deployed}" in out
    assert "service-web  Service  AWS::ECS::Service  MODIFIED" in out
    assert "DesiredCount  1 -> 2  changed" in out

    code, out, _ = cli("diff", *args, "--drift", "--output", "json")
    (report,) = json.loads(out)["stacks"]
    (resource,) = report["resources"]
    assert resource["differences"] == [
        {"path": "/DesiredCount", "expected": "1", "actual": "2", "kind": "NOT_EQUAL"}
    ]
    assert report["drifted"] and report["checked"] > 0 and report["not_checked"] > 0

    code, out, err = cli("deploy", *args, "--yes", "--revert-drift")
    assert code == 0, err
    assert "Service" in out and "DesiredCount" in out  # the plan names what it puts back
    assert desired(session, deployed) == 1
    code, out, _ = cli("diff", *args, "--drift", "--exit-code")
    assert code == 0 and "No drift" in out


def test_without_revert_drift_a_deploy_leaves_the_drift(
    cli: Any, spec_file: Path, env: str, deployed: str, session: Any
) -> None:
    cluster, service = web_service(session, deployed)
    session.client("ecs").update_service(cluster=cluster, service=service, desiredCount=2)
    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0 and "No changes" in out  # a plain change set compares templates only
    assert desired(session, deployed) == 2


def test_revert_drift_is_refused_by_an_sdk_without_deployment_mode(
    session: Any, build: Any, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A botocore from before drift-aware change sets cannot send DeploymentMode: fgc says so
    (exit 2) instead of sending a plain change set that would leave the drift in place."""
    from fgc.spec.errors import UsageError

    from fgc import deployer

    deployer.deploy(build(env), session)
    shape = session.client("cloudformation").meta.service_model.operation_model("CreateChangeSet").input_shape
    monkeypatch.delitem(shape.members, "DeploymentMode")  # the CreateChangeSet such a botocore knows
    with pytest.raises(UsageError, match="DeploymentMode") as refused:
        deployer.deploy(build(env), session, revert_drift=True)
    assert refused.value.exit_code == 2
