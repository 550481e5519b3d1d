"""Fixtures for deploy tests: the session emulator (tests/conftest.py), a session aimed at it, specs.

Tests never reset the emulator: each one deploys its own stack, named by a
unique environment overlay of one shared spec (the test's own copy declares it).
The templates do not depend on the environment's name, so every test after the
first hits the lint cache.
"""

from __future__ import annotations

import io
import itertools
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"

SPEC = """\
app: dtest
network:
  vpc: {{azs: 2, endpoints: false, nat: single}}  # public images: tasks need a route out
services:
  web:
    image: public.ecr.aws/docker/library/nginx:${{IMAGE_TAG:-1.25}}
    port: 8080
    http:
      path: /
      health_check: {{path: /health}}
    scaling: {{min: 1, max: 3, cpu: 70}}
    logs: {{retention: 7}}
environments:
{environments}
"""

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def aws_environment(emulator: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Point boto3 (and so the CLI) at the emulator with fake keys; never at a real account."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION", "IMAGE_TAG", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
    monkeypatch.setenv("FGC_POLL_CEILING", "0.1")


@pytest.fixture
def faults(emulator: Any) -> Iterator[Any]:
    """The emulator, with every fault a test adds removed afterwards."""
    try:
        yield emulator
    finally:
        emulator.clear_faults()


@pytest.fixture
def session(emulator: Any) -> Any:
    """A deployer session on the emulator (what ``--local`` builds)."""
    from fgc import deployer

    return deployer.connect(region=REGION, endpoint_url=emulator.url, credentials=("testing", "testing"))


@pytest.fixture
def env() -> str:
    """A fresh environment name, so a fresh stack (``dtest-<env>``) for this test."""
    return f"t{next(_numbers):02d}"


@pytest.fixture
def spec_file(tmp_path_factory: pytest.TempPathFactory, env: str) -> Path:
    """The shared test spec, one small web service behind the load balancer, declaring ``env``."""
    path = tmp_path_factory.mktemp("spec") / "fargate.yaml"
    path.write_text(SPEC.format(environments=f"  {env}: {{}}"))
    return path


@pytest.fixture
def build(spec_file: Path) -> Callable[..., Any]:
    """``build(env)`` -> the compiled, linted templates of the shared spec."""
    from fgc.deployer.build import build as build_spec

    return lambda env, path=spec_file: build_spec(path, env).templates


class Terminal(io.StringIO):
    """Standard input as a person at a terminal: ``isatty()`` is true, the answers typed ahead."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def cli(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Callable[..., tuple[int, str, str]]:
    """Run ``fgc ARGS`` in-process; (exit status, stdout, stderr).

    Without a terminal, unless ``typed`` is given: then standard input is a terminal on which
    a person types ``typed`` (``"y\\n"`` answers the first question yes).
    """
    from fgc.cli import main

    def run(*args: str, typed: str | None = None) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO("") if typed is None else Terminal(typed))
        capsys.readouterr()
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def rehearse() -> Callable[[Path], subprocess.CompletedProcess[str]]:
    """``rehearse(path)``: ``fgc deploy --local --yes -f PATH`` through the installed script in a
    child process, as a user runs it: its own in-process emulator (no ``AWS_*`` variables), on a
    machine without a container builder (``FGC_BUILDER=none``), polling fast."""

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        environ.update(FGC_POLL_CEILING="0.2", NO_COLOR="1", FGC_BUILDER="none")
        return subprocess.run(
            [str(Path(sys.executable).with_name("fgc")), "deploy", "--local", "--yes", "-f", str(path)],
            capture_output=True,
            text=True,
            env=environ,
            timeout=300,
            check=False,
        )

    return run


@pytest.fixture
def pushed(session: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """``pushed(path, env=None)``: what `fgc push` leaves for the spec at ``path`` without a builder
    (none can build the repo's app/ here: its base image cannot be pulled): the registries stack
    deployed, and each image with ``build:`` in ECR under its content tag, so a deploy finds it
    there and builds nothing (``FGC_BUILDER=none`` makes sure of that)."""

    def run(path: Path, env: str | None = None) -> None:
        from fgc.compiler import compile_registries
        from fgc.deployer import deploy
        from fgc.deployer.build import build as build_spec
        from fgc.deployer.images import put_stand_in

        monkeypatch.setenv("FGC_BUILDER", "none")
        built = build_spec(path, env)
        registries = compile_registries(built.spec)
        outputs = deploy(registries, session).outputs if registries else {}
        for image in built.images:
            uri = next(
                v
                for k, v in outputs.items()
                if k.endswith("RepositoryUri") and v.endswith(f"/{image.registry}")
            )
            put_stand_in(session.client("ecr"), image.registry, image.tag, "pushed by the test", uri)

    return run


@pytest.fixture(scope="session")
def plan_schema() -> dict[str, Any]:
    """The JSON Schema of ``--output json`` plans that docs/plan-json.md documents (its first json
    block under "### Schema"): tests validate real output against what users read."""
    import json
    import re

    import jsonschema

    text = (Path(__file__).resolve().parents[2] / "docs" / "plan-json.md").read_text()
    block = re.search(r"### Schema.*?```json\n(.*?)```", text, re.DOTALL)
    assert block, "docs/plan-json.md has no schema"
    found: dict[str, Any] = json.loads(block.group(1))
    jsonschema.Draft202012Validator.check_schema(found)
    return found
