"""The registries stack builder: one retained, scanned, lifecycle-limited ECR repository per entry."""

from __future__ import annotations

import json

import pytest
from fgc.compiler import registries
from fgc.compiler.lint import lint
from fgc.compiler.stackset import StackSet
from fgc.spec.errors import SpecError
from fgc.spec.models import Spec

from fgc import spec


def render(entries: dict) -> dict:
    spec = Spec.model_validate({"app": "demo", "registries": entries, "services": {"api": {"image": "x:1"}}})
    return registries.build(spec, None).template.to_dict()


def test_repository_defaults_are_secure_and_retained() -> None:
    repository = render({"flask-api": {}})["Resources"]["FlaskApiRepository"]
    assert repository["Type"] == "AWS::ECR::Repository"
    assert repository["DeletionPolicy"] == repository["UpdateReplacePolicy"] == "Retain"
    props = repository["Properties"]
    assert props["RepositoryName"] == "flask-api"
    assert props["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert props["ImageTagMutability"] == "IMMUTABLE"
    assert props["EncryptionConfiguration"] == {"EncryptionType": "AES256"}
    skips = {s["id"]: s["comment"] for s in repository["Metadata"]["checkov"]["skip"]}
    assert list(skips) == ["CKV_AWS_136"] and skips["CKV_AWS_136"]


def test_lifecycle_policy_keeps_the_newest_images() -> None:
    props = render({"api": {"keep": 25}})["Resources"]["ApiRepository"]["Properties"]
    policy = json.loads(props["LifecyclePolicy"]["LifecyclePolicyText"])
    assert policy == {
        "rules": [
            {
                "rulePriority": 1,
                "description": "Keep the newest 25 images",
                "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 25},
                "action": {"type": "expire"},
            }
        ]
    }


def test_user_choices_are_honoured_and_explained_to_checkov() -> None:
    repository = render({"api": {"scan_on_push": False, "immutable_tags": False}})["Resources"][
        "ApiRepository"
    ]
    assert repository["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": False}
    assert repository["Properties"]["ImageTagMutability"] == "MUTABLE"
    skips = {s["id"]: s["comment"] for s in repository["Metadata"]["checkov"]["skip"]}
    assert sorted(skips) == ["CKV_AWS_136", "CKV_AWS_163", "CKV_AWS_51"]
    assert "registries.api.immutable_tags: false" in skips["CKV_AWS_51"]


def test_outputs_are_named_after_the_registry() -> None:
    template = render({"flask-api": {}, "team/worker_v2": {}})
    assert list(template["Outputs"]) == [
        "FlaskApiRepositoryUri",
        "FlaskApiRepositoryArn",
        "FlaskApiRepositoryName",
        "TeamWorkerV2RepositoryUri",
        "TeamWorkerV2RepositoryArn",
        "TeamWorkerV2RepositoryName",
    ]
    outputs = template["Outputs"]
    assert outputs["TeamWorkerV2RepositoryUri"]["Value"] == {
        "Fn::GetAtt": ["TeamWorkerV2Repository", "RepositoryUri"]
    }
    assert outputs["TeamWorkerV2RepositoryName"]["Value"] == {"Ref": "TeamWorkerV2Repository"}
    assert template["Resources"]["TeamWorkerV2Repository"]["Properties"]["RepositoryName"] == "team/worker_v2"


def test_order_of_entries_does_not_change_the_template() -> None:
    a = render({"b-repo": {}, "a-repo": {"keep": 3}})
    b = render({"a-repo": {"keep": 3}, "b-repo": {}})
    assert json.dumps(a) == json.dumps(b)


def _validate(registries: list[str]) -> SpecError:
    lines = ["app: demo", "registries:", *(f"  {name}: {{}}" for name in registries)]
    lines += ["services:", "  api: {image: x:1}"]
    with pytest.raises(SpecError) as caught:
        spec.loads("\n".join(lines) + "\n", environ={})
    return caught.value


def test_names_that_collide_as_logical_ids_are_refused_by_validate() -> None:
    error = _validate(["team-api", "team.api"])
    assert str(error) == (
        "fargate.yaml:4:3: registries.team.api: 'team.api' and 'team-api' both become the id TeamApi: rename one"
    )


def test_lints_clean(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FGC_CACHE_DIR", str(tmp_path))
    template = render(
        {"flask-api": {}, "team/tools": {"scan_on_push": False, "immutable_tags": False, "keep": 1}}
    )
    findings = lint(StackSet.of("demo", {"registries": template}))
    assert [str(f) for f in findings] == []


def test_more_registries_than_outputs_allow_are_refused_by_validate() -> None:
    assert len(render({f"repo-{i}": {} for i in range(66)})["Outputs"]) == 198
    error = _validate([f"repo-{i}" for i in range(67)])
    assert str(error).startswith(
        "fargate.yaml:2:1: registries: 67 registries: an application holds at most 66"
    )
