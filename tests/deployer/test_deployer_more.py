"""Existing VPC, AWS refusals, root cause, polling, and the real console script with --local."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import botocore.exceptions as bex
import pytest
from fgc.deployer.events import StackEvent, root_cause
from fgc.deployer.polling import Poll
from fgc.deployer.session import translate
from fgc.deployer.stacks import describe

from fgc import deployer, spec

REPO = Path(__file__).resolve().parents[2]

EXISTING_VPC_SPEC = """\
app: dexisting
network:
  existing:
    vpc_id: {vpc}
    cidr: 10.30.0.0/16
    public_subnets: [{public}]
    private_subnets: [{private}]
services:
  api:
    image: public.ecr.aws/docker/library/nginx:1.25
    port: 8080
    http: {{path: /}}
"""


def test_existing_vpc_spec_deploys_without_a_network_stack(
    session: Any, tmp_path: Path, user_vpc: Any, route_out: Any
) -> None:
    from fgc.deployer.build import build

    vpc, subnets = user_vpc([f"10.30.{n}.0/24" for n in range(4)])
    route_out(vpc, subnets[2:])  # the user's VPC lets private tasks out (the image is public)
    path = tmp_path / "fargate.yaml"
    path.write_text(
        EXISTING_VPC_SPEC.format(vpc=vpc, public=", ".join(subnets[:2]), private=", ".join(subnets[2:]))
    )
    templates = build(path).templates
    assert "network" not in templates
    result = deployer.deploy(templates, session)
    assert result.status == "CREATE_COMPLETE"
    assert [s.name for s in result.plan.root.walk()] == ["root", "cluster", "service-api"]
    (service,) = deployer.stack_services(session, "dexisting")
    assert service.images == ["public.ecr.aws/docker/library/nginx:1.25"]


def test_unknown_region_and_missing_credentials_are_one_line_exit_3(
    monkeypatch: pytest.MonkeyPatch, build: Any, env: str
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    with pytest.raises(deployer.AwsRefused, match="unknown AWS region 'us-nowhere-7'") as refused:
        deployer.connect(region="us-nowhere-7")
    assert refused.value.exit_code == 3

    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://localhost:9")  # nothing listens; never reached
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    aws = deployer.connect(region="us-east-1")
    with pytest.raises(deployer.AwsRefused, match="no AWS credentials found") as refused:
        deployer.plan(build(env), aws)
    assert refused.value.exit_code == 3


def test_region_comes_from_the_flag_then_the_spec_then_aws_region(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert deployer.connect().region == "eu-west-1"
    assert deployer.connect(spec_region="ap-south-1").region == "ap-south-1"
    assert deployer.connect(region="us-west-2", spec_region="ap-south-1").region == "us-west-2"
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    with pytest.raises(deployer.AwsRefused, match="no AWS region") as refused:
        deployer.connect()
    assert refused.value.exit_code == 3


@pytest.mark.parametrize(
    ("code", "expected", "exit_code"),
    [
        ("ExpiredToken", "AWS rejected the credentials (ExpiredToken)", 3),
        ("AccessDenied", "access denied for CreateChangeSet", 3),
        ("LimitExceededException", "AWS limit reached on CreateChangeSet", 3),
        ("ValidationError", "CreateChangeSet failed (ValidationError)", 1),
    ],
)
def test_aws_errors_become_one_clear_line(code: str, expected: str, exit_code: int) -> None:
    err = bex.ClientError({"Error": {"Code": code, "Message": "details"}}, "CreateChangeSet")
    translated = translate(err)
    assert str(translated).startswith(expected)
    assert translated.exit_code == exit_code


def _event(
    n: int, stack: str, depth: int, logical: str, rtype: str, status: str, reason: str | None
) -> StackEvent:
    at = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=n)
    return StackEvent(
        f"e{n}", stack, f"arn:{stack}", depth, logical, rtype, status, reason, at, f"phys-{logical}"
    )


def test_root_cause_is_the_leaf_not_the_embedded_stack_message() -> None:
    events = [
        _event(1, "service-api", 1, "TaskDefinition", "AWS::ECS::TaskDefinition", "CREATE_COMPLETE", None),
        _event(2, "service-api", 1, "Service", "AWS::ECS::Service", "CREATE_FAILED", "Invalid subnet"),
        _event(
            3,
            "service-api",
            1,
            "Scaling",
            "AWS::ApplicationAutoScaling::ScalableTarget",
            "CREATE_FAILED",
            "Resource creation cancelled",
        ),
        _event(
            4,
            "root",
            0,
            "ServiceApi",
            "AWS::CloudFormation::Stack",
            "CREATE_FAILED",
            "Embedded stack arn:... was not successfully created: The following resource(s) failed to create",
        ),
    ]
    cause = root_cause(events)
    assert cause is not None
    assert str(cause) == "service-api/Service (AWS::ECS::Service) CREATE_FAILED: Invalid subnet"
    assert root_cause(events[:1]) is None


def test_polling_starts_fast_and_backs_off_to_its_ceiling(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    monkeypatch.setattr("fgc.deployer.polling.time.sleep", slept.append)
    poll = Poll(start=0.2, factor=2.0, ceiling=2.0)
    for _ in range(6):
        poll.sleep()
    assert slept == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0]
    poll.fresh().sleep()
    assert slept[-1] == 0.2


def test_console_script_deploys_the_repo_spec_locally(rehearse: Any) -> None:
    """The README's first command, through the installed `fgc` script in a child process, on a
    machine with no container builder (`FGC_BUILDER=none`; app/'s base image cannot be pulled here
    anyway): the rehearsal says nothing was built and stands an empty image in for it."""
    from fgc.compiler import image_tags

    tag = image_tags(spec.load(REPO / "fargate.yaml", environ={}))["api"]
    done = rehearse(REPO / "fargate.yaml")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Plan for flask-api" in out and "flask-api: CREATE_COMPLETE" in out
    assert "a rehearsal against an in-process AWS emulator" in done.stderr
    registries, environment = out.split("Plan for flask-api (")
    assert (
        "Plan for flask-api-registries" in registries and "1 to add, 0 to modify, 0 to remove" in registries
    )
    assert f"flask-api:{tag}: STAND-IN, nothing was built (no container builder)" in registries
    assert "40 to add, 0 to modify, 0 to remove" in environment
    assert "flask-api  service-api  AWS::CloudFormation::Stack  CREATE_COMPLETE" in out
    header, row = out.split("The emulator now holds:\n")[1].splitlines()[:2]
    assert header.split() == [
        *("service", "task", "definition", "image", "desired", "running", "health", "check"),
        *("targets", "scaling"),
    ]
    # scaling min 2 lifts the service's first desired count of 1 to 2, as Application Auto Scaling does;
    # the image is in the emulator's registry, whose repository URIs are `localhost:<port>/<name>`
    cells = row.split()
    assert cells[2].startswith("localhost:") and cells[2].endswith(f"/flask-api:{tag}")
    assert cells[:2] + cells[3:] == [
        *("api", "flask-api-api:1"),
        *("2", "2", "/health", "2", "healthy", "/", "2", "2-10"),
    ]
    readback = out.split("The emulator now holds:\n")[1]
    assert "image localhost:" in readback and f"/flask-api:{tag}: STAND-IN" in readback
    assert "That was a rehearsal: nothing was created in AWS" in out
    # No secrets here either: the rehearsal stood the secret in, and says so (the image is fgc's own
    # stand-in above: an image built from source is not something the user provides)
    assert "--local: stand-in: secret flask-api/database (value made up)" in done.stderr
    assert "--local: stand-in: image" not in done.stderr
    assert (
        "stand-in: secret flask-api/database (value made up): before a real deploy: "
        "fgc secret set flask-api/database --key database; fgc secret set flask-api/database --key host; "
        "fgc secret set flask-api/database --key password; fgc secret set flask-api/database --key username"
    ) in out


def test_lint_errors_stop_the_deploy_before_aws(
    cli: Any, spec_file: Path, tmp_path: Path, session: Any
) -> None:
    broken = tmp_path / "fargate.yaml"
    broken.write_text(
        spec_file.read_text().replace("app: dtest", "app: dlint")
        + "overrides:\n  service-web:\n    - {op: add, path: /Resources/Service/Properties/Bogus, value: 1}\n"
    )
    code, _, err = cli("deploy", "-f", str(broken), "--yes")
    assert code == 1
    assert "lint errors; nothing was sent to AWS" in err and "service-web.json" in err
    assert describe(session, "dlint") is None


def test_logs_follow_keeps_reading(session: Any, build: Any, env: str) -> None:
    import threading
    import time

    from fgc.deployer.logs import log_group, read

    templates = build(env)
    deployer.deploy(templates, session)
    group = log_group(session, templates.stack_name, "web", ["web"])
    logs = session.client("logs")
    logs.create_log_stream(logGroupName=group, logStreamName="s")

    def put(message: str) -> None:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[{"timestamp": int(time.time() * 1000), "message": message}],
        )

    put("first")
    lines = read(session, group, time.time() - 60, Poll(0.05, 1.0, 0.05), follow=True)
    assert next(lines).message == "first"
    later = threading.Timer(0.3, put, args=("second",))
    later.start()
    assert next(lines).message == "second"
    later.join()
