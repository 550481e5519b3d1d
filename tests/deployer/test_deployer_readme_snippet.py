"""The README's emulator snippet works as written.

With the AWS CLI on PATH (`pip install awscli` in a venv of its own: it pins its own botocore), the
snippet runs verbatim in bash, only on a free port instead of 4566. Without it, the same calls run
through boto3: a deploy of the repo's fargate.yaml into the emulator, the cluster's name from the
stack's `ClusterName` output, and the services of that cluster.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
#: The database secret the snippet creates (the guide's keys).
SECRET = '{"username": "app", "password": "change-me", "host": "db.internal", "database": "items"}'


def snippet() -> str:
    readme = (REPO / "README.md").read_text()
    return re.search(r"<!-- emulator-snippet -->\n```bash\n(.*?)```", readme, re.S).group(1)  # type: ignore[union-attr]


def test_snippet_names_the_cluster_by_its_output_and_sets_the_cli_v1_region() -> None:
    text = snippet()
    assert "AWS_DEFAULT_REGION=us-east-1" in text  # the AWS CLI v1 ignores AWS_REGION
    assert "--cluster flask-api\n" not in text  # the cluster's name is generated
    assert "OutputKey=='ClusterName'" in text


def user_folder(tmp_path: Path) -> Path:
    """A user's project: the repo's fargate.yaml beside an `app/` the builder here can build.

    The real app/Dockerfile starts from a Python image that cannot be pulled on this machine, so
    `app/` is a `FROM scratch` context; everything else (the spec, the real builder, the push into
    the emulator's registry, the deploy) is what the snippet does on a user's machine."""
    shutil.copyfile(REPO / "fargate.yaml", tmp_path / "fargate.yaml")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\nCOPY hello.txt /\n")
    (tmp_path / "app" / "hello.txt").write_text("hello\n")
    return tmp_path


def test_snippet_runs_as_written(tmp_path: Path, cli: Any, session: Any, monkeypatch: Any) -> None:
    folder = user_folder(tmp_path)
    aws = shutil.which("aws")
    if aws is None:  # the calls the snippet's `fgc` and `aws` lines make, against the session emulator
        monkeypatch.chdir(folder)
        code, _, err = cli("secret", "set", "flask-api/database", typed=SECRET)
        assert code == 0, err
        code, _, err = cli("deploy", "--yes")
        assert code == 0, err
        stack = session.client("cloudformation").describe_stacks(StackName="flask-api")["Stacks"][0]
        cluster = next(o["OutputValue"] for o in stack["Outputs"] if o["OutputKey"] == "ClusterName")
        arns = session.client("ecs").list_services(cluster=cluster)["serviceArns"]
        assert len(arns) == 1 and "/flask-api-ServiceApi-" in arns[0]
        return
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = str(sock.getsockname()[1])
    script = "trap 'kill $(jobs -p)' EXIT\nset -e\n" + snippet().replace("4566", port)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{environ['PATH']}", FGC_POLL_CEILING="0.2")
    done = subprocess.run(
        ["bash", "-c", script], cwd=folder, capture_output=True, text=True, env=environ, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert re.search(
        r'"serviceArns": \[\s+"arn:aws:ecs:us-east-1:\d+:service/flask-api-Cluster-', done.stdout
    )
