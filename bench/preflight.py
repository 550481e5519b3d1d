"""Benchmark: the preflight's API calls and wall time, for the repo's spec and a 20-service spec.

Against an in-process emulator holding what the specs reference (images pushed, secrets created):
every check passes, so the numbers are the checks' own. Calls run concurrently (8 workers).

    .venv/bin/python bench/preflight.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def many_services(count: int) -> str:
    services = "".join(
        f"  s{n}:\n    image: {ECR}/bench{n}:v1\n    secrets:\n"
        f"      DB: {{secretsmanager: bench/s{n}, key: password}}\n"
        for n in range(count)
    )
    return f"app: bench\nregion: us-east-1\nservices:\n{services}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from fgc.deployer.preflight import preflight
    from fgc.emulator.stand_ins import MANIFEST

    from fgc import deployer, emulator, spec

    handle = emulator.start()
    try:
        aws = deployer.connect(region="us-east-1", endpoint_url=handle.url, credentials=("t", "t"))
        repo = spec.load(ROOT / "fargate.yaml", environ={})
        handle.stand_in(repo, "us-east-1")
        wide = spec.loads(many_services(20), environ={})
        for n in range(20):
            aws.client("ecr").create_repository(repositoryName=f"bench{n}")
            aws.client("ecr").put_image(repositoryName=f"bench{n}", imageTag="v1", imageManifest=MANIFEST)
            aws.client("secretsmanager").create_secret(
                Name=f"bench/s{n}", SecretString=json.dumps({"password": "p"})
            )
        for label, document in (("repo fargate.yaml", repo), ("20 services", wide)):
            times, calls = [], 0
            for _ in range(args.runs):
                report = preflight(document, aws)
                assert not report.failed, report.failed
                times.append(report.seconds)
                calls = report.calls
            print(
                f"{label}: {calls} calls, median {statistics.median(times) * 1000:.0f} ms ({args.runs} runs)"
            )
    finally:
        handle.stop()


if __name__ == "__main__":
    main()
