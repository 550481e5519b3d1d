"""``fgc secret set``: the secrets a spec references, written from stdin, over HTTP to the emulator."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest


def test_secret_set_creates_tagged_then_sets_one_key_keeping_the_others(
    spec_file: Path, session: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from fgc.cli import main

    def secret_set(value: str, *args: str) -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(value))
        capsys.readouterr()
        code = main(["-f", str(spec_file), "secret", "set", *args])
        return code, *capsys.readouterr()

    client = session.client("secretsmanager")
    code, out, _ = secret_set("alice\n", "dtest/database", "--key", "username")
    assert code == 0 and out.startswith(
        "created key username of secret dtest/database (arn:aws:secretsmanager:"
    )
    assert "alice" not in out
    code, out, _ = secret_set("s3cret\n", "dtest/database", "--key", "password")
    assert code == 0 and out.startswith("updated key password of secret dtest/database")
    value = json.loads(client.get_secret_value(SecretId="dtest/database")["SecretString"])
    assert value == {"password": "s3cret", "username": "alice"}
    tags = {t["Key"]: t["Value"] for t in client.describe_secret(SecretId="dtest/database")["Tags"]}
    assert tags["fgc:app"] == "dtest"

    code, _, _ = secret_set("plain", "dtest/token")
    assert code == 0 and client.get_secret_value(SecretId="dtest/token")["SecretString"] == "plain"
    code, _, err = secret_set("v", "dtest/token", "--key", "k")
    assert code == 2 and "plain value, not a JSON object" in err  # a plain value has no keys
    assert client.get_secret_value(SecretId="dtest/token")["SecretString"] == "plain"
    assert secret_set("", "dtest/empty")[0] == 2
