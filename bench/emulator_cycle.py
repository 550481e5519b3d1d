"""Benchmark: emulator start to first answer, and a create + update + delete cycle of fargate.yaml.

Drives the emulator over HTTP with plain boto3 (change sets with nested stacks, as CloudFormation
is used in production), so the numbers are the emulator's own, independent of the deployer.

    .venv/bin/python bench/emulator_cycle.py [-f fargate.yaml] [--runs 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BUCKET = "fgc-bench-artifacts"
CAPABILITIES = ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"]


def wait(cfn: Any, stack_id: str) -> str:
    while True:
        status = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]["StackStatus"]
        if not status.endswith("_IN_PROGRESS"):
            return status
        time.sleep(0.01)


def change_set_cycle(cfn: Any, templates: Any, parameters: dict[str, str], kind: str) -> str:
    """Create, describe (all nested pages), execute and wait: what a deploy costs in the emulator."""
    created = cfn.create_change_set(
        StackName=templates.stack_name,
        ChangeSetName=f"bench-{time.monotonic_ns()}",
        ChangeSetType=kind,
        TemplateBody=templates.body("root"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=CAPABILITIES,
        IncludeNestedStacks=True,
    )
    pending = [created["Id"]]
    while pending:
        described = cfn.describe_change_set(ChangeSetName=pending.pop())
        if described["Status"] != "CREATE_COMPLETE":
            raise SystemExit(f"change set {described['Status']}: {described.get('StatusReason')}")
        pending += [
            c["ResourceChange"]["ChangeSetId"]
            for c in described["Changes"]
            if c["ResourceChange"].get("ChangeSetId")
        ]
    cfn.execute_change_set(ChangeSetName=created["Id"])
    return wait(cfn, created["StackId"])


def cycle(handle: Any, templates: Any, next_tag: dict[str, str]) -> dict[str, float]:
    import boto3

    session = boto3.session.Session(
        aws_access_key_id="bench", aws_secret_access_key="bench", region_name="us-east-1"
    )
    cfn = session.client("cloudformation", endpoint_url=handle.url)
    s3 = session.client("s3", endpoint_url=handle.url)
    s3.create_bucket(Bucket=BUCKET)
    for part in templates.nested:
        s3.put_object(Bucket=BUCKET, Key=part.key, Body=part.body.encode())
    parameters = {**templates.parameters, "ArtifactsUrl": f"{handle.url}/{BUCKET}"}
    timings: dict[str, float] = {}
    expected = {"create": "CREATE_COMPLETE", "update": "UPDATE_COMPLETE", "delete": "DELETE_COMPLETE"}
    for step in expected:
        started = time.perf_counter()
        if step == "delete":
            stack_id = cfn.describe_stacks(StackName=templates.stack_name)["Stacks"][0]["StackId"]
            cfn.delete_stack(StackName=templates.stack_name)
            status = wait(cfn, stack_id)
        else:
            if step == "update":
                parameters.update(next_tag)
            status = change_set_cycle(cfn, templates, parameters, "CREATE" if step == "create" else "UPDATE")
        timings[step] = time.perf_counter() - started
        if status != expected[step]:
            raise SystemExit(f"{step} ended {status}")
    timings["cycle"] = sum(timings.values())
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-f", "--file", default=str(ROOT / "fargate.yaml"))
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    from fgc import emulator

    handle = emulator.start()
    handle.ping()
    first_answer = time.perf_counter() - started

    from fgc.compiler.context import CompileContext

    from fgc import compiler, spec

    templates = compiler.compile(spec.load(args.file), CompileContext())
    next_tag = {
        name: f"{value}-next" for name, value in templates.parameters.items() if name.endswith("ImageTag")
    }
    runs = []
    try:
        for _ in range(args.runs):
            handle.reset()
            runs.append(cycle(handle, templates, next_tag))
    finally:
        handle.stop()

    print(f"emulator start to first answer (imports included): {first_answer:.2f} s")
    count = len(templates.names)
    print(f"{templates.stack_name}: {count} templates, {args.runs} runs (the first with cold backends)")
    print(f"{'step':<8} {'first':>8} {'median':>8} {'min':>8}")
    for step in ("create", "update", "delete", "cycle"):
        values = [run[step] for run in runs]
        print(f"{step:<8} {values[0]:>7.2f}s {statistics.median(values):>7.2f}s {min(values):>7.2f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
