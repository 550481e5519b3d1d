"""Configuration from the environment, JSON log formatting, and the container files."""

from __future__ import annotations

import json
import logging
import runpy
import shlex
import shutil
import tempfile
from importlib.metadata import version
from pathlib import Path

import pytest

from app.config import ConfigError, Database, Settings
from app.jsonlog import HideObjectArguments, JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONF = ROOT / "app" / "gunicorn.conf.py"


def _load_gunicorn_conf(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, object]:
    for name in ("PORT", "WEB_CONCURRENCY", "GUNICORN_THREADS", "LOG_LEVEL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_conf_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load_gunicorn_conf(monkeypatch)
    assert conf["bind"] == "0.0.0.0:8080"
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (2, 4, "gthread")
    assert conf["graceful_timeout"] < 30  # ECS's default stop timeout
    assert conf["keepalive"] > 60  # the load balancer's idle timeout
    assert conf["accesslog"] == "-" and conf["logger_class"] == "app.jsonlog.GunicornJsonLogger"
    assert conf["worker_tmp_dir"] == "/dev/shm"


def test_gunicorn_conf_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    conf = _load_gunicorn_conf(monkeypatch, PORT="9000", WEB_CONCURRENCY="3", GUNICORN_THREADS="8")
    assert (conf["bind"], conf["workers"], conf["threads"]) == ("0.0.0.0:9000", 3, 8)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("PORT", "http", "PORT must be an integer, got 'http'"),
        ("WEB_CONCURRENCY", "0", "WEB_CONCURRENCY must be at least 1, got 0"),
        ("PORT", "99999", "PORT must be at most 65535, got 99999"),
    ],
)
def test_gunicorn_conf_rejects_bad_values_with_a_message(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    with pytest.raises(SystemExit, match=message):
        _load_gunicorn_conf(monkeypatch, **{name: value})


def test_settings_defaults_keep_the_database_in_the_temp_directory() -> None:
    settings = Settings.from_env({})
    assert settings.items_db == str(Path(tempfile.gettempdir()) / "items.db")
    assert settings.secrets_set == {"DB_USERNAME": False, "DB_PASSWORD": False, "API_KEY": False}
    assert settings.secret_values == ()


def test_without_db_host_the_items_stay_in_sqlite() -> None:
    assert Settings.from_env({"DB_USERNAME": "u", "DB_PASSWORD": "p", "DB_NAME": "d"}).database is None
    assert Settings.from_env({"DB_HOST": "  "}).database is None


def test_db_host_selects_postgresql_with_tls_preferred_and_the_default_port() -> None:
    env = {"DB_HOST": "db.example.com", "DB_NAME": "myapp", "DB_USERNAME": "admin", "DB_PASSWORD": "pw!"}
    settings = Settings.from_env({**env, "GUNICORN_THREADS": "6"})
    assert settings.database == Database("db.example.com", 5432, "myapp", "admin", "pw!", "prefer")
    assert settings.threads == 6
    assert settings.database.connect_kwargs() == {
        "host": "db.example.com",
        "port": 5432,
        "sslmode": "prefer",
        "dbname": "myapp",
        "user": "admin",
        "password": "pw!",
    }
    assert "pw!" not in repr(settings.database)
    # the host comes from the database secret too: never logged
    assert {"db.example.com", "admin", "pw!"} <= set(settings.secret_values)
    custom = Settings.from_env({"DB_HOST": "h", "DB_PORT": "6432", "DB_SSLMODE": "verify-full"}).database
    assert custom is not None and (custom.port, custom.sslmode) == (6432, "verify-full")
    assert custom.connect_kwargs() == {"host": "h", "port": 6432, "sslmode": "verify-full"}  # libpq defaults


def test_db_host_may_be_an_rds_endpoint_with_its_port() -> None:
    """Terraform's aws_db_instance `endpoint` (what the guide puts in the secret) is address:port."""
    endpoint = "mydb.abc123.us-east-1.rds.amazonaws.com"
    database = Settings.from_env({"DB_HOST": f"{endpoint}:6543"}).database
    assert database is not None and (database.host, database.port) == (endpoint, 6543)
    assert endpoint in Settings.from_env({"DB_HOST": f"{endpoint}:6543"}).secret_values
    same = Settings.from_env({"DB_HOST": f"{endpoint}:6543", "DB_PORT": "6543"}).database
    assert same is not None and same.port == 6543
    ipv6 = Settings.from_env({"DB_HOST": "fd00::5"}).database
    assert ipv6 is not None and (ipv6.host, ipv6.port) == ("fd00::5", 5432)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DB_HOST": "db.internal:x"}, "DB_HOST's port must be an integer, got 'x'"),
        ({"DB_HOST": "db.internal:5433", "DB_PORT": "5432"}, "DB_HOST ends in port 5433 but DB_PORT is 5432"),
        ({"DB_PORT": "5432x"}, "DB_PORT must be an integer, got '5432x'"),
        ({"DB_PORT": "70000"}, "DB_PORT must be at most 65535, got 70000"),
        (
            {"DB_SSLMODE": "on"},
            "DB_SSLMODE must be one of disable, allow, prefer, require, verify-ca, verify-full",
        ),
    ],
)
def test_bad_database_settings_are_refused_by_name(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        Settings.from_env({"DB_HOST": "db.internal", **env})


def test_driver_log_arguments_show_only_class_names() -> None:
    """libpq's messages name the host and user; the driver's log lines keep only the class."""
    error = OSError('connection to server at "db.internal" (10.0.0.5), port 5432 failed')
    record = logging.LogRecord(
        "psycopg.pool", logging.WARNING, __file__, 1, "error in %r: %s", ("items", error), None
    )
    record.exc_info = (OSError, error, None)
    assert HideObjectArguments().filter(record)
    line = JsonFormatter().format(record)
    assert json.loads(line)["message"] == "error in 'items': OSError"
    assert "db.internal" not in line and "10.0.0.5" not in line


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("app", logging.WARNING, __file__, 1, message, None, None)
    record.__dict__.update(extra)
    return record


def test_json_formatter_writes_one_object_with_the_request_fields() -> None:
    line = JsonFormatter().format(_record("slow", request_id="r1", method="GET", path="/x", status=200))
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "warning" and entry["message"] == "slow"
    assert (entry["request_id"], entry["method"], entry["path"], entry["status"]) == ("r1", "GET", "/x", 200)


def test_json_formatter_redacts_secret_values_that_reach_a_message() -> None:
    formatter = JsonFormatter(("s3cr3t-value", 'pa"ss'))
    line = formatter.format(_record('connect failed for s3cr3t-value with pa"ss', path="/s3cr3t-value"))
    assert "s3cr3t-value" not in line and 'pa\\"ss' not in line
    entry = json.loads(line)
    assert entry["message"] == "connect failed for [redacted] with [redacted]"
    assert entry["path"] == "/[redacted]"


def _dockerfile_instructions() -> list[tuple[str, str]]:
    text = (ROOT / "app" / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    return [tuple(line.split(None, 1)) for line in lines if line and not line.startswith("#")]  # type: ignore[misc]


def test_dockerfile_is_slim_cached_non_root_and_runs_gunicorn() -> None:
    instructions = _dockerfile_instructions()
    keywords = [keyword for keyword, _ in instructions]
    args = dict(instructions)  # the last of each keyword
    assert args["FROM"] == "python:3.12-slim"
    assert args["USER"].split(":")[0] == "1000"
    # dependencies are installed before the code is copied, so code changes keep that layer
    copies = [arg for keyword, arg in instructions if keyword == "COPY"]
    assert copies == ["requirements.txt app/requirements.txt", ". app/"]
    pip_install = next(i for i, (k, arg) in enumerate(instructions) if k == "RUN" and "pip install" in arg)
    assert pip_install < instructions.index(("COPY", ". app/"))
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    assert json.loads(args["CMD"]) == ["gunicorn", "-c", "app/gunicorn.conf.py", "app.main:app"]


def test_dockerfile_health_check_uses_python_and_an_existing_script() -> None:
    health = dict(_dockerfile_instructions())["HEALTHCHECK"]
    options, command = health.split(" CMD ", 1)
    assert "curl" not in health
    argv = json.loads(command)
    assert argv[0] == "python"
    assert argv[1].startswith("/app/") and (ROOT / argv[1].removeprefix("/app/")).is_file()
    assert {"--interval=30s", "--timeout=5s", "--retries=3"} <= set(shlex.split(options))


def test_image_requirements_pin_the_versions_the_tests_run() -> None:
    pins = dict(line.split("==") for line in _rules(ROOT / "app" / "requirements.txt"))
    assert pins == {
        "Flask": version("flask"),
        "gunicorn": version("gunicorn"),
        "psycopg[binary]": version("psycopg"),
        "psycopg-pool": version("psycopg-pool"),
    }


def _sample_build():  # type: ignore[no-untyped-def]
    """What the repository's fargate.yaml builds (its `api` image), as fgc sends it to a builder."""
    from fgc.compiler.builds import service_images
    from fgc.spec import load

    [image] = service_images(load(ROOT / "fargate.yaml"))
    return image.build


def test_every_copy_source_of_the_dockerfile_is_in_the_build_context_fgc_sends() -> None:
    """A COPY of a path the context lacks fails the build ("COPY failed: ... not found"): on AWS that
    is the first deploy failing before anything runs. fgc's own context walk (.dockerignore
    honoured) must hold each source; a build from another folder would miss them."""
    from fgc.compiler.build_context import context_files

    build = _sample_build()
    sent = {name.rstrip("/") for name, _ in context_files(build)}
    copies = [
        [word for word in shlex.split(line)[1:-1] if not word.startswith("--")]
        for line in build.dockerfile_path.read_text().splitlines()
        if line.startswith(("COPY ", "ADD "))
    ]
    assert copies and all(source == "." or source.rstrip("/") in sent for c in copies for source in c), (
        copies,
        sorted(sent),
    )


def test_bytecode_left_by_a_local_run_is_neither_sent_nor_part_of_the_content_tag(tmp_path: Path) -> None:
    from dataclasses import replace

    from fgc.compiler.build_context import content_tag, context_files

    build = _sample_build()
    copy = tmp_path / "app"
    shutil.copytree(build.context, copy, ignore=shutil.ignore_patterns("__pycache__"))
    clean = replace(build, context=copy)
    before = content_tag(clean)
    (copy / "__pycache__").mkdir()
    (copy / "__pycache__" / "main.cpython-312.pyc").write_bytes(b"\x00bytecode")
    (copy / "stray.pyc").write_bytes(b"\x00bytecode")
    assert content_tag(clean) == before
    assert not [name for name, _ in context_files(clean) if "pycache" in name or name.endswith(".pyc")]


def _rules(path: Path) -> list[str]:
    """The lines of a file that are neither blank nor comments."""
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]
