"""AWS API calls and wall time of `fgc deploy` on the repo's fargate.yaml, against the emulator.

Two runs after an initial create: a no-op deploy (target: at most 15 calls) and a
one-service image update (``IMAGE_TAG`` changed, so only a root parameter changes).
Calls are counted with botocore's ``before-call`` event on a fresh session per run,
so the numbers include everything a CLI invocation would send (STS, S3, CloudFormation).

    .venv/bin/python bench/deploy_calls.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fgc.deployer.build import build  # noqa: E402

from fgc import deployer, emulator  # noqa: E402


def measured_deploy(url: str, spec: Path) -> tuple[Counter[str], float, bool]:
    """One deploy from a fresh session: calls by operation, wall seconds, whether it executed."""
    calls: Counter[str] = Counter()
    aws = deployer.connect(region="us-east-1", endpoint_url=url, credentials=("testing", "testing"))
    aws.session.events.register(
        "before-call", lambda model, **_: calls.update([f"{model.service_model.service_name}:{model.name}"])
    )
    started = time.perf_counter()
    result = deployer.deploy(build(spec).templates, aws)
    return calls, time.perf_counter() - started, result.executed


def report(name: str, calls: Counter[str], seconds: float, executed: bool) -> None:
    print(f"{name}: {sum(calls.values())} AWS API calls, {seconds:.2f} s wall, executed={executed}")
    for operation, count in sorted(calls.items()):
        print(f"    {count:3d}  {operation}")


def main() -> None:
    spec = REPO / "fargate.yaml"
    os.environ.pop("IMAGE_TAG", None)
    handle = emulator.start()
    try:
        build(spec)  # warm the lint cache: the bench measures deploying, not linting
        report("create (first deploy)", *measured_deploy(handle.url, spec))
        report("no-op deploy", *measured_deploy(handle.url, spec))
        os.environ["IMAGE_TAG"] = "v1.1.0"
        report("image update (api v1.0.0 -> v1.1.0)", *measured_deploy(handle.url, spec))
    finally:
        handle.stop()


if __name__ == "__main__":
    main()
