"""`fgc init`, `fgc schema -o` and `fgc emulator --port` through the real console script: files written
whole or not at all, a starter that matches its image, and arguments checked before anything runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fgc.commands.init import DEFAULT_IMAGE

FGC = str(Path(sys.executable).parent / "fgc")


def fgc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([FGC, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_init_writes_the_schema_its_first_line_names(tmp_path: Path) -> None:
    done = fgc("init", "--app", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    starter = (tmp_path / "fargate.yaml").read_text()
    assert starter.splitlines()[0] == "# yaml-language-server: $schema=./fargate.schema.json"
    assert (tmp_path / "fargate.schema.json").read_text() == fgc("schema", cwd=tmp_path).stdout
    assert "README" not in starter  # the user has no README of fgc's


def test_init_never_overwrites_a_schema_file(tmp_path: Path) -> None:
    (tmp_path / "fargate.schema.json").write_text("mine")
    done = fgc("init", "--app", "demo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "kept the existing" in done.stdout
    assert (tmp_path / "fargate.schema.json").read_text() == "mine"


def test_starter_service_answers_its_own_health_check(tmp_path: Path) -> None:
    """nginx-unprivileged listens on 8080, serves `/` and writes only under /tmp (fgc's read-only root
    keeps /tmp writable): the port, the health check path and the image agree."""
    assert fgc("init", "--app", "demo", cwd=tmp_path).returncode == 0
    web = yaml.safe_load((tmp_path / "fargate.yaml").read_text())["services"]["web"]
    assert web["image"] == DEFAULT_IMAGE == "public.ecr.aws/nginx/nginx-unprivileged:stable"
    assert web["port"] == 8080
    assert web["http"]["health_check"]["path"] == "/"
    assert "readonly_root" not in web  # the default (true) suits this image
    assert fgc("validate", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("target", ["{tmp}", "{tmp}/missing/x.json"])
def test_schema_output_that_cannot_be_written_is_one_line(tmp_path: Path, target: str) -> None:
    done = fgc("schema", "-o", target.format(tmp=tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 2 and done.stderr.startswith("error: cannot write ")
    assert os.listdir(tmp_path) in ([], ["missing"]) and not (tmp_path / "missing").exists()


def test_schema_output_replaces_a_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    target.write_text("old")
    assert fgc("schema", "-o", str(target), cwd=tmp_path).returncode == 0
    assert target.read_text() == fgc("schema", cwd=tmp_path).stdout
    assert os.listdir(tmp_path) == ["schema.json"]  # no temporary file left beside it


def test_init_into_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    done = fgc("init", "-f", str(tmp_path / "missing" / "x.yaml"), cwd=tmp_path)
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[0] == f"error: cannot write {tmp_path}/missing/x.yaml: the folder "
        f"{tmp_path}/missing does not exist"
    )


@pytest.mark.parametrize("port", ["-1", "65536", "99999", "http"])
def test_emulator_port_out_of_range_is_a_usage_error(tmp_path: Path, port: str) -> None:
    done = fgc("emulator", "--port", port, cwd=tmp_path)
    assert done.returncode == 2
    assert "argument --port:" in done.stderr and "Traceback" not in done.stderr
