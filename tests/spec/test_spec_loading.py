"""Loading: interpolation, environment overlays, hostile input, the library API."""

from __future__ import annotations

from pathlib import Path

import pytest

from fgc import spec

REPO = Path(__file__).resolve().parents[2]
MINIMAL = "app: shop\nservices:\n  api:\n    image: nginx\n"


def problems(text: str, **kwargs) -> list[spec.Problem]:
    with pytest.raises(spec.SpecError) as caught:
        spec.loads(text, environ=kwargs.pop("environ", {}), **kwargs)
    return caught.value.problems


def test_interpolation_forms():
    text = (
        "app: shop\nservices:\n  api:\n"
        "    image: nginx:${TAG:-1.27}\n"
        "    environment: {A: '${SET}', B: '${EMPTY:-fallback}', C: '${EMPTY-kept}', D: 'cost $$5', E: '$HOME'}\n"
    )
    api = spec.loads(text, environ={"SET": "yes", "EMPTY": ""}).services["api"]
    assert api.image == "nginx:1.27"
    assert api.environment == {"A": "yes", "B": "fallback", "C": "", "D": "cost $5", "E": "$HOME"}
    assert spec.loads(text, environ={"TAG": "2.0", "SET": "x"}).services["api"].image == "nginx:2.0"


def test_every_unset_variable_is_reported_at_its_line():
    text = "app: shop\nservices:\n  api:\n    image: nginx:${TAG}\n    environment: {A: '${OTHER}'}\n"
    found = problems(text)
    assert [(p.line, p.path) for p in found] == [(4, "services.api.image"), (5, "services.api.environment.A")]
    assert "${TAG} is not set" in found[0].message


def test_interpolated_value_is_validated():
    found = problems(
        "app: shop\nservices:\n  api:\n    image: nginx\n    cpu: ${CPU}\n", environ={"CPU": "300"}
    )
    assert [(p.line, p.column, p.path) for p in found] == [(5, 10, "services.api.cpu")]


def test_environment_overlay_merges_maps_replaces_lists_and_removes_null():
    text = (
        "app: shop\nservices:\n  api:\n    image: nginx\n    port: 80\n    command: [a, b]\n"
        "    scaling: {max: 4, cpu: 50}\n    environment: {A: '1', B: '2'}\n"
        "environments:\n  dev:\n    services:\n      api: {command: [c], scaling: null, environment: {B: '3'}}\n"
    )
    base = spec.loads(text, environ={})
    dev = spec.loads(text, env="dev", environ={})
    assert base.stack_name == "shop" and dev.stack_name == "shop-dev" and dev.env == "dev"
    assert base.services["api"].scaling is not None and dev.services["api"].scaling is None
    assert dev.services["api"].command == ["c"]
    assert dev.services["api"].environment == {"A": "1", "B": "3"}
    assert dev.services["api"].port == 80


def test_unknown_environment_lists_the_known_ones():
    text = MINIMAL + "environments:\n  dev: {}\n  prod: {}\n"
    with pytest.raises(spec.UsageError) as caught:
        spec.loads(text, env="staging", environ={})
    assert "unknown environment 'staging' (known: dev, prod)" in str(caught.value)
    assert caught.value.exit_code == 2


def test_overlay_error_points_at_the_overlay_line():
    text = MINIMAL + "environments:\n  dev:\n    services:\n      api:\n        memory: 3000\n"
    found = problems(text, env="dev")
    assert [(p.line, p.column, p.path) for p in found] == [(9, 17, "services.api.memory")]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (b"\x00\x01\x02binary\xff\xfe", "not UTF-8 text"),
        (b"app: \x07bell\n", "YAML syntax"),
        (b"", "the file is empty"),
        (b"   \n# only a comment\n", "the file is empty"),
        (b"- a\n- b\n", "must be a map"),
        (b"app: shop\nservices: !!python/object:os.system {}\n", "unsupported YAML tag"),
        (b"app: shop\n? [a, b]\n: c\n", "a key must be a plain value"),
        (b"app: shop\n---\napp: other\n", "YAML syntax"),
    ],
)
def test_hostile_input_is_a_problem_not_a_crash(text, fragment):
    found = problems(text)
    assert any(fragment in p.message for p in found), found


def test_alias_bomb_is_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    found = problems("\n".join(lines) + "\n")
    assert any("alias bomb" in p.message for p in found)


def test_ten_megabyte_file_is_refused():
    found = problems(b"app: shop\n" + b"# padding\n" * 1_000_000)
    assert found[0].message.startswith("file is 9.5 MB")


def test_merge_keys_are_supported():
    text = "base: &b {image: nginx, cpu: 512}\n"
    with pytest.raises(spec.SpecError) as caught:  # `base` itself is not a key of the contract
        spec.loads(text + "app: shop\nservices:\n  api:\n    <<: *b\n    memory: 1024\n", environ={})
    assert [p.path for p in caught.value.problems] == ["base"]


def test_load_reads_files_and_reports_missing_ones(tmp_path):
    path = tmp_path / "fargate.yaml"
    path.write_text(MINIMAL)
    assert spec.load(path).services["api"].image == "nginx"
    with pytest.raises(spec.UsageError, match="no such file"):
        spec.load(tmp_path / "absent.yaml")
    with pytest.raises(spec.UsageError, match="is a directory"):
        spec.load(tmp_path)


def test_repo_fargate_yaml_is_the_tutorial_setup():
    document = spec.load(REPO / "fargate.yaml", environ={})
    api = document.services["api"]
    assert document.app == "flask-api" and (api.cpu, api.memory, api.port) == (512, 1024, 8080)
    assert set(api.environment) == {"ENVIRONMENT", "APP_VERSION"}
    assert {name: (ref.secretsmanager, ref.key) for name, ref in api.secrets.items()} == {
        "DB_USERNAME": ("flask-api/database", "username"),
        "DB_PASSWORD": ("flask-api/database", "password"),
        "DB_HOST": ("flask-api/database", "host"),
        "DB_NAME": ("flask-api/database", "database"),
    }
    assert api.http.health_check.path == "/health" and document.load_balancer.scheme == "internet-facing"
    assert (api.scaling.min, api.scaling.max, api.scaling.cpu, api.scaling.memory) == (2, 10, 70, 80)
    assert (api.scaling.cooldown.in_, api.scaling.cooldown.out) == (300, 60)
    assert api.deployment.rollback and (api.deployment.max_percent, api.deployment.min_healthy_percent) == (
        200,
        100,
    )
    assert api.discovery == "api" and document.namespace == "flask-api.local" and api.logs.retention == 7
    assert api.permissions[0].actions == ["s3:GetObject", "s3:PutObject"]
    assert api.permissions[0].resources == ["arn:aws:s3:::my-app-bucket/*"]
    assert (api.capacity.on_demand_base, api.capacity.on_demand, api.capacity.spot) == (1, 1, 4)
    assert document.registries["flask-api"].scan_on_push and document.registries["flask-api"].keep == 10
    assert api.image.registry == "flask-api" and api.image.build_config.context == "app/"
    assert spec.environments((REPO / "fargate.yaml").read_bytes()) == ["dev", "prod"]
    for env in ("dev", "prod"):
        assert spec.load(REPO / "fargate.yaml", env=env, environ={}).stack_name == f"flask-api-{env}"
