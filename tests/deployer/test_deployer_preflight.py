"""Preflight of images fgc does not build but names by registry (``{registry: X, tag: T}``), the
checks' stable IDs, the JSON checklist, and what a one-shot rehearsal stands in. Against the
emulator over HTTP (docs/preflight.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from fgc.deployer.preflight import CHECKS

REPO = Path(__file__).resolve().parents[2]
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

SPEC = """\
app: {app}
network:
  vpc: {{azs: 2, nat: none, endpoints: true}}
registries:
  {app}: {{}}
services:
  web:
    image: {{registry: {app}, tag: v1}}
    port: 8080
"""


def write(tmp_path: Path, app: str) -> Path:
    path = tmp_path / "fargate.yaml"
    path.write_text(SPEC.format(app=app))
    return path


def stacks(session: Any) -> set[str]:
    return {s["StackName"] for s in session.client("cloudformation").describe_stacks()["Stacks"]}


def test_a_first_deploy_of_a_tag_in_the_apps_registry_fails_before_anything_is_created(
    cli: Any, tmp_path: Path, session: Any
) -> None:
    # the repository is created by fgc's own <app>-registries stack, so on a first deploy the tag
    # cannot be there: the deploy would only fail later with CannotPullContainerError
    path = write(tmp_path, "pfirst")
    before = stacks(session)
    code, _, err = cli("deploy", "-f", str(path), "--yes")
    assert code == 1
    assert (
        f"preflight FAIL P101 image {ECR}/pfirst:v1 [services.web.image]: the repository pfirst does not "
        "exist yet: fgc creates it (stack pfirst-registries) and pushes only the images it builds, so the tag "
        "cannot be in it (fix: `fgc push` creates the repository, then push "
        f"{ECR}/pfirst:v1 (docker push); or give services.web.image a build: folder"
    ) in err
    assert "error: preflight: 1 check(s) failed; P101 image" in err
    assert stacks(session) == before  # neither the registries stack nor the environment's


def test_after_fgc_push_creates_the_repository_the_tag_itself_is_checked(
    cli: Any, tmp_path: Path, session: Any
) -> None:
    from fgc.emulator.stand_ins import MANIFEST

    path = write(tmp_path, "ppush")
    code, out, err = cli("push", "-f", str(path), "--yes")  # nothing to build: no builder is needed
    assert code == 0, err
    assert "Nothing to build" in out and "the repositories are ready" in out
    assert "ppush-registries" in stacks(session)
    code, _, err = cli("preflight", "-f", str(path))
    assert code == 1
    assert f"preflight FAIL P101 image {ECR}/ppush:v1 [services.web.image]: the tag does not exist" in err
    session.client("ecr").put_image(repositoryName="ppush", imageTag="v1", imageManifest=MANIFEST)
    code, out, err = cli("preflight", "-f", str(path))
    assert code == 0, err
    assert f"preflight ok   P101 image {ECR}/ppush:v1 [services.web.image]" in err
    assert "1 checks, 1 calls" in out


def test_the_checklist_as_json_names_each_check_by_its_id(cli: Any, tmp_path: Path, session: Any) -> None:
    session.client("secretsmanager").create_secret(Name="pjson/db", SecretString=json.dumps({"user": "u"}))
    path = write(tmp_path, "pjson")
    path.write_text(path.read_text() + "    secrets:\n      DB_USER: {secretsmanager: pjson/db, key: user}\n")
    code, out, err = cli("preflight", "-f", str(path), "--output", "json")
    assert code == 1 and err == ""
    report = json.loads(out)
    assert report["format"] == 1 and report["failed"] == 1 and report["calls"] == 2
    image, secret = report["checks"]
    assert (image["id"], image["status"], image["key"]) == ("P101", "failed", "services.web.image")
    assert image["what"] == f"image {ECR}/pjson:v1" and "does not exist yet" in image["detail"]
    assert "fgc push" in image["fix"]
    assert secret == {
        "id": "P201",
        "status": "passed",
        "what": "secret pjson/db keys user",
        "key": "services.web.secrets.DB_USER",
        "detail": "",
        "fix": "",
    }


def test_every_check_id_is_documented() -> None:
    doc = (REPO / "docs" / "preflight.md").read_text()
    table = re.findall(r"^\| (P\d{3}) \|", doc, re.MULTILINE)
    assert table == sorted(CHECKS)


def test_a_rehearsal_stands_the_tag_in_and_lists_it_as_skipped_not_passed(
    rehearse: Any, tmp_path: Path
) -> None:
    done = rehearse(write(tmp_path, "prehearse"))
    assert done.returncode == 0, done.stderr
    assert f"--local: stand-in: image {ECR}/prehearse:v1" in done.stderr
    assert (
        f"preflight skip P101 image {ECR}/prehearse:v1 [services.web.image]: stood in by this rehearsal: "
        "a deploy to AWS checks it"
    ) in done.stderr
    assert "preflight ok" not in done.stderr  # a stand-in is never shown as passed
    assert f"stand-in: image {ECR}/prehearse:v1" in done.stdout.split("The emulator now holds:")[1]
