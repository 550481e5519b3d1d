"""The guide's troubleshooting failures, reproduced through the emulator over HTTP.

Each deploy fails as it would on AWS (the tasks stop with ECS's own reason, the circuit breaker
fails the service, the stack rolls back), exits 1, and prints a diagnosis naming the cause and
what to change: a fargate.yaml key or the command that provides what is missing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fgc import deployer

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

SPEC = """\
app: {app}
services:
  web:
    image: {image}
    port: 8080
{extra}"""

SECRETS = """\
    secrets:
      DB_PASSWORD: {{secretsmanager: {app}/db, key: password}}
"""


def _deploy(
    cli: Any, tmp_path: Path, app: str, image: str, extra: str = "", *args: str
) -> tuple[int, str, str]:
    """Deploy without the preflight (which would catch most of these first): the ECS path."""
    path = tmp_path / "fargate.yaml"
    path.write_text(SPEC.format(app=app, image=image, extra=extra))
    return cli("deploy", "-f", str(path), "--yes", "--no-preflight", *args)


def _status(session: Any, app: str) -> str:
    return session.client("cloudformation").describe_stacks(StackName=app)["Stacks"][0]["StackStatus"]


@pytest.fixture
def image(session: Any) -> Any:
    """``image(repository, tag)``: a repository holding that tag, as a user's push leaves it."""
    from fgc.emulator.stand_ins import MANIFEST

    def push(repository: str, tag: str) -> str:
        ecr = session.client("ecr")
        ecr.create_repository(repositoryName=repository)
        ecr.put_image(repositoryName=repository, imageTag=tag, imageManifest=MANIFEST)
        return f"{ECR}/{repository}:{tag}"

    return push


def test_missing_image_tag(cli: Any, tmp_path: Path, session: Any, image: Any) -> None:
    image("dnotag", "v1")
    code, _, err = _deploy(cli, tmp_path, "dnotag", f"{ECR}/dnotag:v9")
    assert code == 1 and _status(session, "dnotag") == "ROLLBACK_COMPLETE"
    assert "ECS Deployment Circuit Breaker was triggered" in err
    assert "TaskFailedToStart: CannotPullContainerError" in err
    assert f"likely cause: the image {ECR}/dnotag:v9 is not in its repository" in err
    assert "fix: services.web.image" in err


def test_docker_hub_image_without_nat(cli: Any, tmp_path: Path, session: Any) -> None:
    code, _, err = _deploy(cli, tmp_path, "dhub", "nginx:1.27")
    assert code == 1 and _status(session, "dhub") == "ROLLBACK_COMPLETE"
    assert "docker.io/library/nginx:1.27" in err and "i/o timeout" in err
    assert "likely cause: the tasks cannot reach the image's registry" in err
    assert "network.vpc.nat: single" in err


def test_missing_secret(cli: Any, tmp_path: Path, session: Any, image: Any) -> None:
    uri = image("dnosecret", "v1")
    code, _, err = _deploy(cli, tmp_path, "dnosecret", uri, SECRETS.format(app="dnosecret"))
    assert code == 1 and _status(session, "dnosecret") == "ROLLBACK_COMPLETE"
    assert "ResourceInitializationError: unable to pull secrets or registry auth" in err
    assert "ResourceNotFoundException" in err
    assert "likely cause: the secret dnosecret/db does not exist" in err
    assert "fix: fgc secret set dnosecret/db --key KEY (value on stdin); services.web.secrets" in err
    # fgc status of the rolled-back stack says the same (ECS keeps the service INACTIVE, and its tasks)
    code, _, err = cli("status", "-f", str(tmp_path / "fargate.yaml"))
    assert code == 0 and "likely cause: the secret dnosecret/db does not exist" in err


def test_missing_json_key(cli: Any, tmp_path: Path, session: Any, image: Any) -> None:
    uri = image("dnokey", "v1")
    session.client("secretsmanager").create_secret(Name="dnokey/db", SecretString=json.dumps({"user": "a"}))
    code, _, err = _deploy(cli, tmp_path, "dnokey", uri, SECRETS.format(app="dnokey"))
    assert code == 1 and _status(session, "dnokey") == "ROLLBACK_COMPLETE"
    assert "did not contain json key password" in err
    assert "fix: fgc secret set NAME --key password (value on stdin)" in err


def test_execution_role_without_access_to_the_secret(
    cli: Any, tmp_path: Path, session: Any, image: Any
) -> None:
    uri = image("dnoaccess", "v1")
    session.client("secretsmanager").create_secret(
        Name="dnoaccess/db", SecretString=json.dumps({"password": "p"})
    )
    # statements: EcrLogin, PullImages, WriteLogs, ReadSecrets; point the last at another secret
    overrides = (
        SECRETS.format(app="dnoaccess")
        + "overrides:\n  service-web:\n"
        + "    - {op: replace, path: /Resources/ExecutionRole/Properties/Policies/0/PolicyDocument/Statement/3/"
        + 'Resource, value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:other-??????"}\n'
    )
    code, _, err = _deploy(cli, tmp_path, "dnoaccess", uri, overrides)
    assert code == 1 and _status(session, "dnoaccess") == "ROLLBACK_COMPLETE"
    assert "is not authorized to perform: secretsmanager:GetSecretValue" in err
    assert "likely cause: the execution role may not read a referenced secret or parameter" in err
    assert "overrides" in err


def test_health_checks_failing(cli: Any, tmp_path: Path, session: Any, image: Any, faults: Any) -> None:
    uri = image("dhealth", "v1")
    faults.add_fault(
        {"kind": "task", "effect": "unhealthy", "reason": "Target.ResponseCodeMismatch", "code": "404"}
    )
    code, _, err = _deploy(
        cli, tmp_path, "dhealth", uri, "    http: {path: /, health_check: {path: /healthz}}\n"
    )
    assert code == 1 and _status(session, "dhealth") == "ROLLBACK_COMPLETE"
    assert "ServiceSchedulerInitiated: Task failed ELB health checks in (target-group" in err
    assert "Health checks failed with these codes: [404]" in err
    assert "likely cause: the health check path answers 404" in err
    assert "fix: services.web.http.health_check.path; services.web.http.health_check.matcher" in err


def test_essential_container_exiting_shows_its_last_log_lines(
    cli: Any, tmp_path: Path, session: Any, image: Any, faults: Any
) -> None:
    uri = image("dexit", "v1")
    lines = ["booting", "Traceback (most recent call last):", "KeyError: 'DATABASE_URL'"]
    faults.add_fault({"kind": "task", "effect": "exit", "exit_code": 3, "logs": lines})
    code, _, err = _deploy(cli, tmp_path, "dexit", uri)
    assert code == 1 and _status(session, "dexit") == "ROLLBACK_COMPLETE"
    assert "EssentialContainerExited: Essential container in task exited" in err
    assert "container web: exit code 3" in err
    assert "likely cause: an essential container (web) exited with exit code 3" in err
    assert (
        "last log lines:\n    booting\n    Traceback (most recent call last):\n    KeyError: 'DATABASE_URL'"
        in err
    )


def test_diagnosis_as_json(cli: Any, tmp_path: Path, session: Any, image: Any) -> None:
    image("djson", "v1")
    code, out, _ = _deploy(cli, tmp_path, "djson", f"{ECR}/djson:v2", "", "--output", "json")
    assert code == 1
    document = json.loads(out)  # stdout is the JSON document alone: progress went to stderr
    assert document["result"]["status"] == "ROLLBACK_COMPLETE" and document["format_version"] == 1
    [diagnosis] = document["diagnosis"]
    assert diagnosis["service"] == "web" and diagnosis["status"] == "INACTIVE"
    assert diagnosis["cause"]["id"] == "image-not-found"
    assert diagnosis["stopped"][0]["stop_code"] == "TaskFailedToStart"


def test_preflight_names_what_is_missing_before_any_change_set(
    cli: Any, tmp_path: Path, session: Any, image: Any
) -> None:
    uri = image("dpre", "v1")
    session.client("secretsmanager").create_secret(Name="dpre/db", SecretString=json.dumps({"user": "a"}))
    path = tmp_path / "fargate.yaml"
    path.write_text(SPEC.format(app="dpre", image=f"{ECR}/dpre:v2", extra=SECRETS.format(app="dpre")))
    code, _, err = cli("deploy", "-f", str(path), "--yes")
    assert code == 1
    assert f"preflight FAIL P101 image {ECR}/dpre:v2 [services.web.image]: the tag does not exist" in err
    assert (
        "preflight FAIL P201 secret dpre/db keys password [services.web.secrets.DB_PASSWORD]: the secret has no "
        "JSON key password (fix: fgc secret set dpre/db --key password (value on stdin))"
    ) in err
    with pytest.raises(Exception, match="does not exist"):
        session.client("cloudformation").describe_stacks(StackName="dpre")  # nothing was sent
    path.write_text(SPEC.format(app="dpre", image=uri, extra=""))
    code, out, err = cli("preflight", "-f", str(path))
    assert code == 0 and f"preflight ok   P101 image {uri}" in err and "1 checks, 1 calls" in out


def test_preflight_reports_a_check_it_may_not_make_as_skipped(
    cli: Any, tmp_path: Path, session: Any, image: Any, faults: Any
) -> None:
    uri = image("dskip", "v1")
    session.client("secretsmanager").create_secret(
        Name="dskip/db", SecretString=json.dumps({"password": "p"})
    )
    faults.add_fault({"kind": "deny", "operation": "GetSecretValue"})  # a caller without that permission
    path = tmp_path / "fargate.yaml"
    path.write_text(SPEC.format(app="dskip", image=uri, extra=SECRETS.format(app="dskip")))
    code, _, err = cli("preflight", "-f", str(path))
    assert code == 0
    assert (
        "preflight skip P201 secret dskip/db keys password [services.web.secrets.DB_PASSWORD]: it exists; "
        "its value may not be read here to check its keys" in err
    )
    assert f"preflight ok   P101 image {uri}" in err


def test_preflight_checks_an_existing_vpc_addresses_and_route_out(
    cli: Any, tmp_path: Path, image: Any, user_vpc: Any, route_out: Any
) -> None:
    uri = image("dips", "v1")
    vpc, subnets = user_vpc([f"10.40.0.{n * 16}/28" for n in range(4)])
    path = tmp_path / "fargate.yaml"
    network = f"network:\n  existing: {{vpc_id: {vpc}, private_subnets: [{subnets[2]}, {subnets[3]}]}}\n"
    path.write_text(
        network + SPEC.format(app="dips", image=uri, extra="    scaling: {min: 1, max: 20, cpu: 70}\n")
    )
    code, _, err = cli("preflight", "-f", str(path))
    assert code == 1
    assert (
        "preflight FAIL P401 private subnets [network.existing.private_subnets]: 22 free addresses, a rollout "
        in err
    )
    assert "at max needs 40 (fix: use larger private subnets" in err
    assert (
        f"preflight FAIL P402 route out [network.existing.private_subnets]: {subnets[2]} has no route out (NAT or "
        "transit gateway) and nothing reaches ecr.api, ecr.dkr, logs, s3"
    ) in err
    route_out(vpc, subnets[2:])
    assert "preflight ok   P402 route out" in cli("preflight", "-f", str(path))[2]


def test_failed_update_is_diagnosed_and_rolls_back_to_running_tasks(
    cli: Any, tmp_path: Path, session: Any, image: Any, faults: Any
) -> None:
    uri = image("dupdate", "v1")
    assert _deploy(cli, tmp_path, "dupdate", uri)[0] == 0
    faults.add_fault({"kind": "task", "effect": "exit", "exit_code": 137, "logs": ["Killed"]})
    code, _, err = _deploy(cli, tmp_path, "dupdate", uri, "    environment: {MODE: new}\n")
    assert code == 1 and _status(session, "dupdate") == "UPDATE_ROLLBACK_COMPLETE"
    assert "diagnosis of service web" in err and ", ACTIVE)" in err
    assert "likely cause: an essential container (web) exited with exit code 137" in err
    (service,) = deployer.stack_services(session, "dupdate")
    assert (service.running, service.desired) == (1, 1)  # the previous deployment's task kept running


def test_wait_stable_timeout_prints_the_diagnosis(
    cli: Any, tmp_path: Path, session: Any, image: Any, emulator: Any
) -> None:
    uri = image("dstall", "v1")
    assert _deploy(cli, tmp_path, "dstall", uri)[0] == 0
    (service,) = deployer.stack_services(session, "dstall")
    emulator.stall_service(service.name, running=0)
    code, _, err = _deploy(cli, tmp_path, "dstall", uri, "", "--wait-stable", "--stable-timeout", "1s")
    assert code == 1 and "not stable after 1s" in err
    assert (
        "diagnosis of service web" in err and "the service did not reach a steady state (0/1 running)" in err
    )
    assert "is unable to consistently start tasks successfully" in err
