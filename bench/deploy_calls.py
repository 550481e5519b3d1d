"""AWS API calls and wall time of `fgc deploy` on the repo's fargate.yaml, against the emulator.

The repo's spec builds its image from app/ (`image: {build: app/, registry: flask-api}`); beside
it runs the same spec with a fixed tag (`{registry: ..., tag: ${IMAGE_TAG:-v1.0.0}}`), so the cost
of `build:` on a no-op deploy shows (target: within 0.3 s, and at most 15 calls for the no-op).
For each: a first create, a no-op deploy, and for the fixed tag a one-service image update
(``IMAGE_TAG`` changed, so only a root parameter changes). The built spec deploys the way a
`--local` rehearsal does without a builder (`FGC_BUILDER=none`: a stand-in image under the content
tag), so the bench needs no builder and measures deploying, not building; its no-op finds the
tag in ECR (one `DescribeImages`) exactly as after a real push. Calls are counted with botocore's
``before-call`` event on a fresh session per run, so the numbers include everything a CLI
invocation would send (STS, S3, CloudFormation, ECR).

    .venv/bin/python bench/deploy_calls.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from fgc.deployer.build import build  # noqa: E402
from fgc.deployer.release import release  # noqa: E402

from fgc import deployer, emulator  # noqa: E402

FIXED_TAG = '{registry: flask-fixed, tag: "${IMAGE_TAG:-v1.0.0}"}'


def measured_deploy(url: str, spec: Path) -> tuple[Counter[str], float, bool]:
    """One deploy from a fresh session: calls by operation, wall seconds, whether it executed."""
    calls: Counter[str] = Counter()
    aws = deployer.connect(region="us-east-1", endpoint_url=url, credentials=("testing", "testing"))
    aws.session.events.register(
        "before-call", lambda model, **_: calls.update([f"{model.service_model.service_name}:{model.name}"])
    )
    started = time.perf_counter()
    done = release(build(spec), aws, stand_in=True)
    assert done.app is not None
    return calls, time.perf_counter() - started, done.app.executed


def report(name: str, calls: Counter[str], seconds: float, executed: bool) -> None:
    print(f"{name}: {sum(calls.values())} AWS API calls, {seconds:.2f} s wall, executed={executed}")
    for operation, count in sorted(calls.items()):
        print(f"    {count:3d}  {operation}")


def fixed_tag_spec(folder: Path) -> Path:
    """The repo's spec as another app whose image has a fixed tag (no build:)."""
    text = (REPO / "fargate.yaml").read_text()
    text = text.replace("app: flask-api\n", "app: flask-fixed\n").replace(
        "  flask-api: {", "  flask-fixed: {"
    )
    text = text.replace("{build: app/, registry: flask-api}", FIXED_TAG)
    assert FIXED_TAG in text, "the repo's fargate.yaml no longer builds app/: update this bench"
    path = folder / "fargate.yaml"
    path.write_text(text)
    return path


def main() -> None:
    os.environ.pop("IMAGE_TAG", None)
    os.environ["FGC_BUILDER"] = "none"
    handle = emulator.start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            fixed = fixed_tag_spec(Path(folder))
            for spec in (REPO / "fargate.yaml", fixed):
                build(spec)  # warm the lint cache: the bench measures deploying, not linting
            report("build: create (first deploy)", *measured_deploy(handle.url, REPO / "fargate.yaml"))
            report("build: no-op deploy", *measured_deploy(handle.url, REPO / "fargate.yaml"))
            report("fixed tag: create (first deploy)", *measured_deploy(handle.url, fixed))
            report("fixed tag: no-op deploy", *measured_deploy(handle.url, fixed))
            os.environ["IMAGE_TAG"] = "v1.1.0"
            report("fixed tag: image update (api v1.0.0 -> v1.1.0)", *measured_deploy(handle.url, fixed))
    finally:
        handle.stop()


if __name__ == "__main__":
    main()
