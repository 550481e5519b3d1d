"""Builders: detection, a failed build's last lines, a missing builder, the password kept off argv.

A real builder (buildah, installed by `.ci/run` where none is present) builds `FROM scratch` images;
no base image can be pulled here.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.images import SUPPORTED, BuildFailed, ImageBuild, NoBuilder, find_builder, publish


def write_script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_no_builder_on_the_path_is_a_usage_error_naming_the_supported_ones(tmp_path, monkeypatch):
    monkeypatch.delenv("FGC_BUILDER", raising=False)
    with pytest.raises(NoBuilder) as missing:
        find_builder(path=str(tmp_path))
    assert missing.value.exit_code == 2
    assert all(name in str(missing.value) for name in SUPPORTED)
    assert "FGC_BUILDER" in str(missing.value)


def test_a_docker_without_its_daemon_is_passed_over(tmp_path, monkeypatch):
    """Here `docker` answers only as a client (a CLI without its daemon, as on many CI images)."""
    monkeypatch.delenv("FGC_BUILDER", raising=False)
    write_script(tmp_path / "docker", "echo 'Cannot connect to the Docker daemon' >&2; exit 1\n")
    with pytest.raises(NoBuilder, match="docker is installed but its daemon does not answer"):
        find_builder(path=str(tmp_path))


def test_an_explicit_choice_wins_and_an_unknown_one_is_refused(monkeypatch):
    found = find_builder()  # the tests need a real one: .ci/run installs buildah when none is present
    monkeypatch.setenv("FGC_BUILDER", found.name)
    assert find_builder() == found
    assert find_builder(found.executable) == found
    with pytest.raises(NoBuilder, match="unknown container builder 'kaniko'") as unknown:
        find_builder("kaniko")
    assert unknown.value.exit_code == 2
    monkeypatch.setenv("FGC_BUILDER", "podman")
    with pytest.raises(NoBuilder, match="'podman' was chosen but is not on the PATH"):
        find_builder(path="/nonexistent")


def test_a_failed_build_carries_the_builders_last_lines(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY missing-file.txt /\n")
    streamed: list[str] = []
    with pytest.raises(BuildFailed) as failed:
        find_builder().build(ImageBuild(tmp_path), "localhost/fgc-test-failure:1", streamed.append)
    assert failed.value.exit_code == 1
    assert any("missing-file.txt" in line for line in failed.value.lines)
    assert failed.value.lines == streamed[-len(failed.value.lines) :]
    assert "missing-file.txt" in str(failed.value)


def test_build_arguments_target_and_platform_reach_the_builder(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "Dockerfile").write_text(
        "FROM scratch AS first\nARG NAME\nCOPY ${NAME} /\nFROM scratch AS second\nCOPY nothing-here /\n"
    )
    build = ImageBuild(tmp_path, target="first", args={"NAME": "a.txt"}, platform="linux/amd64")
    find_builder().build(build, "localhost/fgc-test-args:1")  # stage `second` would fail


def test_the_registry_password_goes_on_stdin_never_on_a_command_line(clean_emulator, aws, tmp_path):
    """A wrapper records every argv, and what `login` reads on stdin, then runs the real builder."""
    real = find_builder()
    calls, stdin = tmp_path / "argv.log", tmp_path / "stdin.log"
    (tmp_path / "bin").mkdir()
    wrapper = write_script(
        tmp_path / "bin" / real.name,
        f'echo "$@" >> {calls}\n'
        f'if [ "$1" = login ]; then tee {stdin} | {real.executable} "$@"; exit $?; fi\n'
        f'exec {real.executable} "$@"\n',
    )
    ecr: Any = aws("ecr")
    ecr.create_repository(repositoryName="app")
    context = tmp_path / "ctx"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\nCOPY Dockerfile /\n")

    published = publish(ecr, ImageBuild(context), "app", "v1", find_builder(str(wrapper)))

    assert published.pushed
    password = stdin.read_text().strip()
    argv = calls.read_text()
    assert password and "--password-stdin" in argv
    assert password not in argv
