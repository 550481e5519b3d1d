"""`fgc diff` shows each changed property's values, keeps secrets out, and no false "may replace".

Through the CLI against the emulator, whose change sets give CloudFormation's
``DescribeChangeSet`` ``IncludePropertyValues`` shape (``Path``, ``BeforeValue``,
``AfterValue``, ``Evaluation``, ``ChangeSource``, ``CausingEntity``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

SPEC = """\
app: dtest
network:
  vpc: {{azs: 2, endpoints: false, nat: single}}
services:
  web:
    image: public.ecr.aws/docker/library/nginx:{tag}
    cpu: {cpu}
    memory: {memory}
    port: {port}
    environment: {{MODE: {mode}, API_TOKEN: {token}}}
    http:
      path: /
      health_check: {{path: /health}}
    scaling: {{min: 1, max: 3, cpu: 70, memory: 80}}
    logs: {{retention: 7}}
environments:
  {env}: {{}}
"""
FIRST = {"tag": "1.25", "cpu": 256, "memory": 512, "port": 8080, "mode": "blue", "token": "first-t0ken"}


def write(path: Path, env: str, **changed: Any) -> Path:
    path.write_text(SPEC.format(env=env, **{**FIRST, **changed}))
    return path


def deployed(cli: Any, tmp_path: Path, env: str) -> Path:
    spec = write(tmp_path / "fargate.yaml", env)
    code, out, err = cli("deploy", "-f", str(spec), "--env", env, "--yes")
    assert code == 0, out + err
    return spec


def changes(out: str) -> list[list[str]]:
    """(stack, symbol, logical id, type, verb...) of each plan row."""
    return [line.split() for line in out.splitlines() if re.match(r"^  \S+ +[~+\->] ", line)]


def test_new_image_tag_is_two_changes_with_values_and_no_may_replace(
    cli: Any, tmp_path: Path, env: str
) -> None:
    spec = deployed(cli, tmp_path, env)
    write(spec, env, tag="1.26")

    code, out, _ = cli("diff", "-f", str(spec), "--env", env)

    assert code == 0, out
    assert [row[:5] for row in changes(out)] == [
        ["service-web", "~", "TaskDefinition", "AWS::ECS::TaskDefinition", "replace"],
        ["service-web", "~", "Service", "AWS::ECS::Service", "modify"],
    ]
    assert "ContainerDefinitions[0].Image: ...:1.25 -> ...:1.26" in out
    assert re.search(
        r"TaskDefinition: \.\.\.[:/]\S*task-definition/dtest-\w+-web:1 -> \(known after deploy\)", out
    ), out
    assert "WebImageTag: 1.25 -> 1.26" in out
    assert "may replace" not in out
    assert "no change to ScalableTarget, CpuScalingPolicy, MemoryScalingPolicy" in out
    assert "0 to add, 2 to modify (1 replaced), 0 to remove, 1 parameter changed" in out

    code, out, _ = cli("diff", "-f", str(spec), "--env", env, "--output", "json")
    plan = json.loads(out)
    found = {c["logical_id"]: c for s in plan["stacks"] for c in s["changes"]}
    assert sorted(found) == ["Service", "TaskDefinition"]
    image = next(v for v in found["TaskDefinition"]["values"] if v["path"] == "ContainerDefinitions[0].Image")
    assert image["before"].endswith(":1.25") and image["after"].endswith(":1.26")
    assert image["causes"] == [{"source": "ParameterReference", "entity": "ImageTag", "evaluation": "Static"}]


def test_cpu_change_shows_its_values(cli: Any, tmp_path: Path, env: str) -> None:
    spec = deployed(cli, tmp_path, env)
    write(spec, env, cpu=512, memory=1024)

    code, out, _ = cli("diff", "-f", str(spec), "--env", env)

    assert code == 0, out
    assert "Cpu: 256 -> 512" in out and "Memory: 512 -> 1024" in out
    assert "may replace" not in out


def test_a_secret_value_is_never_printed(cli: Any, tmp_path: Path, env: str) -> None:
    spec = deployed(cli, tmp_path, env)
    write(spec, env, token="second-t0ken", mode="green")

    code, out, err = cli("diff", "-f", str(spec), "--env", env)
    _, as_json, _ = cli("diff", "-f", str(spec), "--env", env, "--output", "json")

    assert code == 0, out
    assert re.search(r"Environment\[\d\]\.Value: \*\*\*\* -> \*\*\*\*", out), out
    assert re.search(r"Environment\[\d\]\.Value: blue -> green", out), out  # not a secret: shown
    for text in (out, err, as_json):
        assert "t0ken" not in text


def test_a_real_replacement_is_still_one_and_what_refers_to_it_is_what_it_is(
    cli: Any, tmp_path: Path, env: str
) -> None:
    """A new port replaces the target group (``Port`` is create-only). The listener rule and the
    service refer to it, and read the cluster stack's outputs, which CloudFormation learns only
    once the cluster stack (its load balancer's security group) is updated: it calls them
    "may replace". The outputs are the cluster's name and listener, unchanged: they modify."""
    spec = deployed(cli, tmp_path, env)
    write(spec, env, port=8081)

    code, out, _ = cli("diff", "-f", str(spec), "--env", env)

    assert code == 0, out
    rows = {row[2]: row[4] for row in changes(out)}
    assert rows == {
        "LoadBalancerSecurityGroup": "modify",
        "TaskDefinition": "replace",
        "SecurityGroup": "modify",
        "TargetGroup": "replace",
        "ListenerRule": "modify",
        "Service": "modify",
    }, out
    assert "Port: 8080 -> 8081" in out
    assert re.search(r"Actions\[0\]\.TargetGroupArn: \S+ -> \(known after deploy\)", out), out
    assert "0 to add, 6 to modify (2 replaced), 0 to remove" in out
