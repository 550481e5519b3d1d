"""Every sub-command, through the real console script, where its output cannot go or AWS cannot be
reached: a closed standard output, an output path that cannot be written, an endpoint nobody serves.

Whatever happens, a run ends with one clear line (or, for a closed standard output, quietly) and a
documented exit status (see `fgc --help`), never a traceback.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from fgc.cli import EXIT_CODES
from fgc.commands import COMMANDS

FGC = str(Path(sys.executable).parent / "fgc")
#: The statuses `fgc --help` documents (its "exit status:" lines).
DOCUMENTED = {int(line.split()[0]) for line in EXIT_CODES.splitlines()[1:] if line.strip()}
#: Sub-commands that talk to AWS.
AWS_COMMANDS = ("diff", "deploy", "status", "logs", "destroy", "preflight", "secret")
#: What a command reads from standard input.
STDIN = {"secret": "not-a-real-password\n"}


def arguments(command: str, spec: Path, env: str, folder: Path) -> list[str]:
    """A sensible invocation of `command` for the shared test spec (files written under `folder`)."""
    return {
        "init": ["init", "--app", "demo", "-f", str(folder / "new.yaml")],
        "validate": ["validate", "-f", str(spec)],
        "schema": ["schema"],
        "render": ["render", "-f", str(spec), "--env", env, "--no-lint", "-o", str(folder / "out")],
        "cost": ["cost", "-f", str(spec), "--env", env],
        "diagram": ["diagram", "-f", str(spec), "--env", env, "--format", "mermaid"],
        "build": ["build", "-f", str(spec), "--env", env],
        "push": ["push", "-f", str(spec), "--env", env, "--yes"],
        "preflight": ["preflight", "-f", str(spec), "--env", env],
        "secret": ["secret", "set", f"dtest-{env}/every-command", "-f", str(spec), "--env", env],
        "diff": ["diff", "-f", str(spec), "--env", env],
        "deploy": ["deploy", "-f", str(spec), "--env", env, "--yes"],
        "status": ["status", "-f", str(spec), "--env", env],
        "logs": ["logs", "web", "-f", str(spec), "--env", env],
        "destroy": ["destroy", "-f", str(spec), "--env", env, "--yes"],
        "emulator": ["emulator", "--port", "0"],
    }[command]


def run(argv: list[str], stdout: Any = subprocess.PIPE, **env: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [FGC, *argv],
        input=STDIN.get(argv[0], ""),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300,
        env={**os.environ, **env},
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in DOCUMENTED, (done.returncode, done.stderr)
    return done


def test_every_command_is_covered() -> None:
    assert {0, 1, 2, 3, 141} == DOCUMENTED
    assert set(COMMANDS) == {
        "init",
        "validate",
        "schema",
        "render",
        "cost",
        "diagram",
        "build",
        "push",
        "emulator",
        *AWS_COMMANDS,
    }


@pytest.fixture
def deployed(cli: Any, spec_file: Path, env: str, session: Any) -> str:
    """A deployed stack for `env`, so status, logs and destroy have something to print."""
    code, _, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    return env


@pytest.mark.parametrize("command", list(COMMANDS))
def test_closed_stdout_stops_quietly(
    command: str, spec_file: Path, deployed: str, tmp_path: Path, session: Any
) -> None:
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before fgc writes its first byte
    try:
        done = run(arguments(command, spec_file, deployed, tmp_path), stdout=writer)
    finally:
        os.close(writer)
    assert done.returncode in (0, 141), done.stderr
    assert done.stderr == "" or command in ("logs", "destroy", "deploy"), done.stderr
    if command == "destroy":  # stopped while listing what it would delete: nothing was deleted
        assert session.client("cloudformation").describe_stacks(StackName=f"dtest-{deployed}")["Stacks"]


@pytest.mark.parametrize(("command", "output"), [("diff", "markdown"), ("deploy", "json")])
def test_closed_stdout_with_a_document_stops_quietly(
    command: str, output: str, spec_file: Path, deployed: str, tmp_path: Path
) -> None:
    """`--output json|markdown` write their document last, once the work is done (stderr has the rest)."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        done = run([*arguments(command, spec_file, deployed, tmp_path), "--output", output], stdout=writer)
    finally:
        os.close(writer)
    assert done.returncode in (0, 141), done.stderr
    assert command == "diff" or "No changes: " in done.stderr, done.stderr  # the text went to stderr


@pytest.mark.parametrize("command", ["schema", "validate"])
def test_no_stdout_at_all(command: str, spec_file: Path, env: str, tmp_path: Path) -> None:
    argv = [FGC, *arguments(command, spec_file, env, tmp_path)]
    done = subprocess.run(
        argv, stderr=subprocess.PIPE, text=True, timeout=120, close_fds=True, preexec_fn=lambda: os.close(1)
    )  # noqa: PLW1509  # `fgc schema >&-`
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("argv", "status"),
    [
        (["schema", "-o", "{blocked}/schema.json"], 2),
        (["schema", "-o", "{folder}"], 2),
        (["init", "-f", "{blocked}/fargate.yaml"], 2),
        (["init", "-f", "{folder}/missing/fargate.yaml"], 2),
        (["render", "-f", "{spec}", "--no-lint", "-o", "{blocked}"], 2),
    ],
)
def test_unwritable_output_is_one_line(argv: list[str], status: int, spec_file: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")  # even root cannot create files under a file
    paths = {"blocked": str(blocked), "folder": str(tmp_path), "spec": str(spec_file)}
    done = run([arg.format(**paths) for arg in argv])
    assert done.returncode == status
    message, hint = done.stderr.splitlines()
    assert message.startswith("error: cannot write ") and hint.startswith("  hint: ")
    assert blocked.read_text() == "not a folder"


@pytest.fixture
def nowhere() -> str:
    """An endpoint URL on a loopback port nobody listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# preflight checks only what the spec reads from outside its stacks: the shared spec reads
# nothing, so it makes no call (its checks against the emulator are tests of their own)
@pytest.mark.parametrize("command", [c for c in AWS_COMMANDS if c != "preflight"])
def test_unreachable_endpoint_is_exit_3(
    command: str, spec_file: Path, env: str, tmp_path: Path, nowhere: str
) -> None:
    done = run(arguments(command, spec_file, env, tmp_path), AWS_ENDPOINT_URL=nowhere)
    assert done.returncode == 3
    *retries, message, hint = done.stderr.splitlines()
    assert all("trying again" in line for line in retries)
    assert message == f"error: cannot connect to {nowhere}/: connection refused"
    assert "AWS_ENDPOINT_URL" in hint
