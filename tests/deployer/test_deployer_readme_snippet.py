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
#: The repo spec's image, as its registry serves it.
IMAGE = "{registry}/flask-api:v1.0.0"


def snippet() -> str:
    readme = (REPO / "README.md").read_text()
    return re.search(r"<!-- emulator-snippet -->\n```bash\n(.*?)```", readme, re.S).group(1)  # type: ignore[union-attr]


def test_snippet_names_the_cluster_by_its_output_and_sets_the_cli_v1_region() -> None:
    text = snippet()
    assert "AWS_DEFAULT_REGION=us-east-1" in text  # the AWS CLI v1 ignores AWS_REGION
    assert "--cluster flask-api\n" not in text  # the cluster's name is generated
    assert "OutputKey=='ClusterName'" in text


def test_snippet_runs_as_written(
    tmp_path: Path, cli: Any, session: Any, emulator: Any, monkeypatch: Any, provide: Any, pushed: Any
) -> None:
    aws = shutil.which("aws")
    if aws is None:  # the boto3 calls the snippet's `aws` lines make, against the session emulator
        provide(REPO / "fargate.yaml")  # the secret, as the guide creates it first
        pushed(REPO / "fargate.yaml")  # the image, as `fgc push` leaves it
        monkeypatch.chdir(REPO)
        emulator.stand_in_image(IMAGE.format(registry=emulator.registry))  # pushed by the user
        secret = '{"username": "app", "password": "change-me", "host": "db.internal", "database": "items"}'
        code, _, err = cli("secret", "set", "flask-api/database", typed=secret)
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
    # the image the user pushed before deploying (no base image can be pulled to build it here)
    up = "# the emulator is up\n"
    declare = IMAGE.format(registry=f"localhost:{port}")
    script = script.replace(
        up, f'{up}curl -sf -X POST localhost:{port}/_fgc/stand-ins -d \'{{"images": ["{declare}"]}}\'\n', 1
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    environ.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{environ['PATH']}", FGC_POLL_CEILING="0.2")
    done = subprocess.run(
        ["bash", "-c", script], cwd=REPO, capture_output=True, text=True, env=environ, timeout=600
    )
    assert done.returncode == 0, done.stderr
    assert re.search(
        r'"serviceArns": \[\s+"arn:aws:ecs:us-east-1:\d+:service/flask-api-Cluster-', done.stdout
    )
