"""`fgc validate`, `fgc schema`, `fgc init` through the real console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

from fgc.cli import build_parser, command_in, main
from fgc.commands import COMMANDS

REPO = Path(__file__).resolve().parents[2]
FGC = shutil.which("fgc", path=str(Path(sys.executable).parent)) or "fgc"


def fgc(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([FGC, *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_repo_file_is_valid():
    result = fgc("validate")
    assert result.returncode == 0, result.stderr
    assert "fargate.yaml: valid (and environments dev, prod)" in result.stdout


def test_invalid_file_lists_every_problem_with_exit_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "app: shop\nservices:\n  api:\n    image: nginx\n    cpu: 512\n    memory: 3000\n    helth_check: {}\n"
    )
    result = fgc("validate", "-f", str(bad))
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"{bad}:6:13: services.api.memory: 3000 MiB is not a Fargate size for cpu 512 (valid: 1024-4096 in steps of 1024)",
        f"{bad}:7:5: services.api.helth_check: unknown key (did you mean health_check?)",
    ]
    assert "Traceback" not in result.stderr


def test_file_option_goes_before_or_after_the_command(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("app: shop\n")
    for args in (
        ["-f", str(bad), "validate"],
        ["validate", "-f", str(bad)],
        ["--file", str(bad), "validate"],
    ):
        result = fgc(*args)
        assert result.returncode == 2 and f"{bad}:1:1: services: required key is missing" in result.stderr
    assert fgc("-f", str(bad), "validate", "-f", "fargate.yaml").returncode == 0


def test_validate_checks_every_environment(tmp_path):
    text = (
        "app: shop\nservices:\n  api: {image: nginx}\nenvironments:\n  dev:\n    services: {api: {cpu: 3}}\n"
    )
    (tmp_path / "fargate.yaml").write_text(text)
    result = fgc("validate", cwd=tmp_path)
    assert (
        result.returncode == 2
        and "fargate.yaml:6:27: services.api.cpu: 3 is not a Fargate CPU size" in result.stderr
    )
    only = fgc("validate", "--env", "nope", cwd=tmp_path)
    assert only.returncode == 2 and "unknown environment 'nope' (known: dev)" in only.stderr


def test_missing_file_and_binary_file(tmp_path):
    assert fgc("validate", "-f", str(tmp_path / "none.yaml")).returncode == 2
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(bytes(range(256)) * 10)
    result = fgc("validate", "-f", str(junk))
    assert (
        result.returncode == 2
        and "Traceback" not in result.stderr
        and ":2:1: not UTF-8 text" in result.stderr
    )


def test_schema_validates_the_repo_file_and_rejects_typos():
    result = fgc("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    validator = jsonschema.Draft202012Validator(schema)
    document = yaml.safe_load((REPO / "fargate.yaml").read_text())
    assert list(validator.iter_errors(document)) == []
    document["services"]["api"]["helth_check"] = {}
    assert list(validator.iter_errors(document))
    human = {"app": "x", "services": {"a": {"image": "n", "cpu": "0.5 vCPU", "memory": "1 GB"}}}
    assert list(validator.iter_errors(human)) == []


def test_committed_schema_is_current():
    assert (REPO / "fargate.schema.json").read_text() == fgc("schema").stdout


def test_init_writes_a_valid_starter_and_never_overwrites(tmp_path):
    first = fgc("init", "--app", "demo", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert fgc("validate", cwd=tmp_path).returncode == 0
    before = (tmp_path / "fargate.yaml").read_text()
    again = fgc("init", cwd=tmp_path)
    assert again.returncode == 2 and "exists already" in again.stderr
    assert (tmp_path / "fargate.yaml").read_text() == before
    assert fgc("init", "--app", "Bad_Name", "-f", "x.yaml", cwd=tmp_path).returncode == 2


def test_help_lists_commands_and_exit_codes():
    result = fgc("--help")
    assert result.returncode == 0
    for word in ("validate", "schema", "init", "exit status"):
        assert word in result.stdout
    assert "--env" in fgc("validate", "--help").stdout


@pytest.mark.parametrize(
    "argv",
    [
        ["validate"],
        ["--file=x.yaml", "validate", "--env", "dev"],
        ["-fx.yaml", "render", "--no-lint"],
        ["-f", "render", "validate"],
        ["validate", "-f", "render"],
        ["deploy", "--local", "--yes"],
    ],
)
def test_the_parser_built_for_one_command_parses_as_the_whole_tree_would(argv):
    """fgc builds only the parser of the command it runs; it must be the one argparse picks."""
    command = command_in(argv)
    assert build_parser().parse_known_args(argv)[0].command == command
    args = build_parser(command).parse_args(argv)
    assert args.command == command and args.run.__module__ == f"fgc.commands.{command}"


def test_every_command_has_its_help(monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "300")  # one line per command: the width comes from $COLUMNS
    for argv in (["--help"], *([name, "--help"] for name in COMMANDS)):
        with pytest.raises(SystemExit) as exit_:
            main(argv)
        assert exit_.value.code == 0
        text = capsys.readouterr().out
        assert "exit status" in text
        if argv == ["--help"]:
            assert all(f"{name:<20}{line}" in text for name, line in COMMANDS.items()), text
        else:
            assert text.startswith(f"usage: fgc {argv[0]} [-h] [-f FILE]"), text


def test_validate_path_imports_no_heavy_modules():
    """Nor the other commands' modules, nor shutil (argparse's terminal width, see fgc.cli)."""
    code = (
        "import sys; from fgc.cli import main; rc = main(['validate']);"
        "heavy = [m for m in ('boto3', 'botocore', 'troposphere', 'cfnlint', 'email', 'shutil',"
        " 'fgc.commands.render', 'fgc.commands._target') if m in sys.modules];"
        "print(heavy); sys.exit(rc)"
    )
    result = python(code)
    assert result.returncode == 0 and result.stdout.strip().endswith("[]"), result.stdout + result.stderr


def test_package_metadata_still_works_after_the_cli_deferred_it():
    """The CLI defers importlib.metadata (fgc.startup); code that uses it must get the real one."""
    code = (
        "import sys; from fgc.cli import main; main(['validate']);"
        "assert 'email' not in sys.modules;"
        "import importlib.metadata; from importlib.metadata import version, entry_points;"
        "real = sys.modules['importlib.metadata'];"
        "assert importlib.metadata is real and type(real).__name__ == 'module', real;"
        "assert version('pydantic') == __import__('pydantic').VERSION, version('pydantic');"
        "assert any(e.name == 'fgc' for e in entry_points(group='console_scripts'));"
        "print('ok')"
    )
    result = python(code)
    assert result.returncode == 0 and result.stdout.strip().endswith("ok"), result.stdout + result.stderr


def test_the_command_exits_with_its_status_after_the_handlers_it_registered(tmp_path):
    """`fgc` ends the process without the interpreter's teardown (fgc.cli.console), yet
    with main's status, its output flushed, and the exit handlers registered during the
    run (the lint warm-up's stop) run; one registered before `fgc` started is skipped."""
    code = (
        "import atexit, sys; from fgc import cli;"
        "atexit.register(print, 'teardown');"
        "run = cli.main;"
        "cli.main = lambda: (atexit.register(print, 'handler of the run'), run())[1];"
        f"sys.argv = ['fgc', 'validate', '-f', {str(tmp_path / 'missing.yaml')!r}];"
        "print('output', end='');"
        "sys.exit(cli.console())"
    )
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    result = python(code, **buffered)
    assert result.returncode == 2, result.stderr
    assert result.stdout.splitlines() == ["outputhandler of the run"], result.stdout
    assert "no such file" in result.stderr


def python(code: str, **environ: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter in the repository (``environ`` replaces the environment)."""
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env=environ or None,
    )
