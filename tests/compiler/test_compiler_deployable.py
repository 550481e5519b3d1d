"""Valid means deployable, for the limits only compiled templates show (issue 12).

A template over 1 MB (an environment repeated by YAML aliases), a parameter value over
4,096 bytes (``ImageTags`` with many services), overrides whose paths do not exist: each
is a problem at its key's line from `fgc validate`, never a failure in render or AWS.
And what validate accepts at the edges of the rules renders and lints clean.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from fgc.spec import deployable

from fgc import compiler, spec

FGC = str(Path(sys.executable).parent / "fgc")
REPO = Path(__file__).resolve().parents[2]


def _alias_bomb_environment() -> str:
    """About 0.5 MB of environment, used by the service and three sidecars: a 2.6 MB template."""
    entries = "".join(f"      K{i}: {'v' * 250}\n" for i in range(2000))
    sidecars = "".join(f"      s{j}: {{image: nginx, environment: *env}}\n" for j in range(3))
    return f"app: demo\nservices:\n  api:\n    image: nginx\n    environment: &env\n{entries}    sidecars:\n{sidecars}"


def test_a_template_over_one_megabyte_is_refused_by_validate(tmp_path: Path) -> None:
    path = tmp_path / "fargate.yaml"
    path.write_text(_alias_bomb_environment())
    result = subprocess.run([FGC, "validate", "-f", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"{path}:3:3: services.api: the service-api template is 2.63 MB; CloudFormation takes at most 1 MB"
    )
    assert "Traceback" not in result.stderr


def test_image_tags_over_4096_bytes_are_refused() -> None:
    tag = "release-2026.12.02-abcdef"  # 25 characters: 201 of them (and commas) pass 4,096 bytes
    text = "app: demo\nservices:\n" + "".join(f"  s{i}: {{image: 'nginx:{tag}'}}\n" for i in range(201))
    app = spec.loads(text, environ={})
    assert deployable.may_exceed(app)
    with pytest.raises(spec.SpecError) as caught:
        compiler.compile(app)
    assert [str(p) for p in caught.value.problems] == [
        "fargate.yaml:2:1: services: the root parameter ImageTags would be 5225 bytes (every service's image "
        "tag); CloudFormation takes at most 4096: use fewer services or shorter tags"
    ]


def test_every_failing_override_is_reported_at_once_with_the_keys_nearby() -> None:
    text = (
        "app: demo\nservices:\n  api: {image: nginx}\noverrides:\n  service-api:\n"
        "    - {op: add, path: /Resources/Servic/Properties/X, value: 1}\n"
        "    - {op: add, path: /Resources/Service/Properties/Y, value: 1}\n"
        "    - {op: test, path: /Resources/LogGroup/Properties/RetentionInDays, value: 31}\n"
        "  cluster:\n"
        "    - {op: move, from: /Outputs/Nothing, path: /Outputs/Else}\n"
    )
    with pytest.raises(spec.SpecError) as caught:
        compiler.compile(spec.loads(text, environ={}))
    found = [str(p) for p in caught.value.problems]
    assert found[0] == (
        "fargate.yaml:6:7: overrides.service-api[0]: cannot add /Resources/Servic/Properties/X in service-api: "
        "no 'Servic' at /Resources (keys there: LogGroup, ExecutionRole, TaskDefinition, SecurityGroup, Service)"
    )
    assert (
        found[1]
        == "fargate.yaml:8:7: overrides.service-api[2]: test /Resources/LogGroup/Properties/RetentionInDays failed: the value is 30"
    )
    assert found[2].startswith(
        "fargate.yaml:10:7: overrides.cluster[0]: cannot move /Outputs/Else in cluster: no 'Nothing' at /Outputs "
        "(keys there: ClusterName,"
    )
    assert len(found) == 3
    assert all(len(p) < 400 for p in found)  # never the whole template


def test_validate_compiles_only_documents_that_could_reach_a_compiled_limit() -> None:
    repo = spec.load(REPO / "fargate.yaml", environ={})
    assert not deployable.may_exceed(repo)
    with_overrides = "app: demo\nservices:\n  api: {image: nginx}\noverrides:\n  cluster: []\n"
    assert deployable.may_exceed(spec.loads(with_overrides, environ={}))
    assert deployable.may_exceed(spec.loads(_alias_bomb_environment(), environ={}))


def test_what_validate_accepts_at_the_edges_of_the_rules_renders_and_lints_clean(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("FGC_CACHE_DIR", str(tmp_path))
    text = (
        "app: edges\nregion: us-west-1\ntags: {'team:x/y': 'a b_c.d:e/f=g+h-i@j', version: 1.10, mode: on}\n"
        "network: {vpc: {azs: 2}}\nregistries:\n  team-api: {}\n  team/tools: {}\n"
        "services:\n"
        "  a-1:\n    image: nginx\n    port: 80\n    discovery: a-b\n    count: 4\n"
        "    deployment: {max_percent: 125, min_healthy_percent: 100}\n"
        "    environment: {APP_VERSION: 1.10, MODE: 0755, AT: 12:30}\n"
        "    http: {path: [/a/*, /b/*, /c*], host: [x.example.com, y.example.com]}\n"
        "  b2:\n    image: {registry: team-api, tag: 1.10}\n    user: 0700\n"
    )
    app = spec.loads(text, environ={})
    templates = compiler.compile(app)
    assert [str(f) for f in compiler.lint(templates, regions=[app.region])] == []
    container = templates["service-a-1"]["Resources"]["TaskDefinition"]["Properties"]["ContainerDefinitions"][
        0
    ]
    assert {e["Name"]: e["Value"] for e in container["Environment"]} == {
        "APP_VERSION": "1.10",
        "MODE": "0755",
        "AT": "12:30",
    }
    assert templates.parameters["B2ImageTag"] == "1.10"


@pytest.mark.parametrize(
    "head",
    [
        "app: demo\n",
        "app: demo\nregistries: {team-api: {}}\n",
        "app: demo\nnetwork: {existing: {vpc_id: vpc-1, private_subnets: [subnet-1, subnet-2]}}\n",
    ],
)
def test_the_spec_counts_the_nested_stacks_compile_builds(head: str) -> None:
    """spec.deployable refuses 499 services from this count: it must be what compile builds."""
    app = spec.loads(head + "services:\n  a: {image: nginx}\n  b: {image: nginx}\n", environ={})
    assert deployable.nested_stacks(app) == len(compiler.compile(app).nested)


def test_validate_lints_what_overrides_changed(tmp_path: Path) -> None:
    """Found by the property test: an override that breaks a template passed validate, then failed lint."""
    path = tmp_path / "fargate.yaml"
    path.write_text(
        "app: demo\nservices:\n  s0: {image: nginx}\n"
        "overrides:\n  service-s0:\n    - {op: add, path: /Outputs/ServiceName, value: true}\n"
    )
    result = subprocess.run([FGC, "validate", "-f", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith(
        f"{path}:5:3: overrides.service-s0: after overrides, cfn-lint finds service-s0.json:"
    )
    assert "Traceback" not in result.stderr
