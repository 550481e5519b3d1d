"""`fgc emulator` serves in the foreground, says how to use it, and stops cleanly on Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import boto3

REPO = Path(__file__).resolve().parents[2]


def test_fgc_emulator_serves_until_interrupted():
    command = [
        sys.executable,
        "-c",
        "import sys; from fgc.cli import main; sys.exit(main())",
        "emulator",
        "--port",
        "0",
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        url = re.search(r"http://localhost:\d+", first).group(0)
        banner = "".join(process.stdout.readline() for _ in range(4))
        with urllib.request.urlopen(f"{url}/_fgc/health", timeout=60) as answer:  # noqa: S310 - loopback
            assert json.loads(answer.read()) == {"ok": True}
        cfn = boto3.client(
            "cloudformation",
            endpoint_url=url,
            region_name="us-east-1",
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        assert cfn.describe_stacks()["Stacks"] == []
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
    assert f"export AWS_ENDPOINT_URL={url}" in banner
    assert process.returncode == 0, err
