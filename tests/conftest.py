"""Shared fixtures: one in-process emulator per test session, reset between deploy tests; checkov.

`emulator` is the session-wide handle (started once: a few seconds, mostly importing moto); `aws`
is a factory of boto3 clients aimed at it with fake credentials; `emulator_faults` clears the faults
a test adds once it ends; `clean_emulator` also wipes AWS state and stacks before the test.
`checkov` scans a folder of templates with checkov run from its own virtual environment.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
CHECKOV_REQUIREMENTS = Path(__file__).with_name("requirements-checkov.txt")


@pytest.fixture(scope="session")
def session_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One lint cache for the whole run: tests never read or write the user's real cache."""
    return tmp_path_factory.mktemp("fgc-cache")


@pytest.fixture(autouse=True)
def _isolated_cache(session_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FGC_CACHE_DIR", str(session_cache))


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    from fgc import emulator as emulator_package

    handle = emulator_package.start()
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def emulator_faults(emulator: Any) -> Iterator[Any]:
    """The session emulator, with every fault the test adds cleared afterwards (state is kept)."""
    try:
        yield emulator
    finally:
        emulator.clear_faults()


@pytest.fixture
def clean_emulator(emulator: Any) -> Iterator[Any]:
    emulator.reset()
    try:
        yield emulator
    finally:
        emulator.clear_faults()


@pytest.fixture
def provide(emulator: Any) -> Callable[..., list[Any]]:
    """``provide(spec_or_path, env=None, region="us-east-1")``: put into the emulator what a user
    provides outside fgc for that fargate.yaml (images in ECR, secrets, SSM parameters), as they
    would before deploying. The emulator itself is faithful: without this, tasks that reference
    them stop with ECS's own errors. Returns what was stood in."""

    def run(source: Any, env: str | None = None, region: str = REGION) -> list[Any]:
        from fgc import spec as spec_package

        loaded = spec_package.load(source, env=env, environ={}) if isinstance(source, Path) else source
        return emulator.stand_in(loaded, region)

    return run


@pytest.fixture(scope="session")
def user_vpc(aws: Callable[[str], Any]) -> Callable[[list[str]], tuple[str, list[str]]]:
    """``user_vpc(subnet_cidrs)``: a VPC the user brings (fgc does not create it), with those
    subnets alternating over two zones: (vpc id, subnet ids)."""

    def run(cidrs: list[str]) -> tuple[str, list[str]]:
        ec2 = aws("ec2")
        vpc = ec2.create_vpc(CidrBlock=cidrs[0].rsplit(".", 2)[0] + ".0.0/16")["Vpc"]["VpcId"]
        zones = [f"{REGION}{'ab'[n % 2]}" for n in range(len(cidrs))]
        return vpc, [
            ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
            for cidr, zone in zip(cidrs, zones, strict=True)
        ]

    return run


@pytest.fixture(scope="session")
def route_out(aws: Callable[[str], Any]) -> Callable[[str, list[str]], None]:
    """``route_out(vpc_id, subnet_ids)``: give an existing VPC (one the user brings) a NAT gateway
    that those subnets route through, as a VPC with egress has; tasks there reach any registry."""

    def run(vpc: str, subnets: list[str]) -> None:
        ec2 = aws("ec2")
        gateway = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gateway, VpcId=vpc)
        address = ec2.allocate_address(Domain="vpc")["AllocationId"]
        nat = ec2.create_nat_gateway(SubnetId=subnets[0], AllocationId=address)["NatGateway"]["NatGatewayId"]
        table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        for subnet in subnets:
            ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)

    return run


@pytest.fixture(scope="session")
def aws(emulator: Any) -> Callable[[str], Any]:
    """`aws("cloudformation")` -> a boto3 client for the emulator (fake credentials, no retries).

    One session and one client per service for the whole run: building them costs more than most
    emulator calls."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session(
        aws_access_key_id="test", aws_secret_access_key="test", region_name=REGION
    )
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    clients: dict[str, Any] = {}

    def client(service: str) -> Any:
        if service not in clients:
            clients[service] = session.client(service, endpoint_url=emulator.url, config=config)
        return clients[service]

    return client


@pytest.fixture(scope="session")
def checkov() -> Callable[[Path], dict[str, Any]]:
    """``checkov(folder)`` -> checkov's CloudFormation report on the templates in ``folder``.

    checkov pins an old boto3, so it is not in the dev extra (fgc is tested on the current SDK):
    it runs from a virtual environment of its own, created on first use (a few minutes) under
    the user's cache folder and kept there, keyed by tests/requirements-checkov.txt.
    """
    executable = _checkov_environment() / "bin" / "checkov"

    def scan(folder: Path) -> dict[str, Any]:
        done = subprocess.run(
            [str(executable), "-d", str(folder), "--framework", "cloudformation", "-o", "json"]
            + ["--skip-download", "--compact"],
            capture_output=True,
            text=True,
            timeout=600,
            # never phone home for its guideline mappings: the tests run offline
            env={**os.environ, "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"},
        )
        found = json.loads(done.stdout)
        reports = found if isinstance(found, list) else [found]
        (cloudformation,) = [r for r in reports if r.get("check_type") == "cloudformation"]
        return cloudformation

    return scan


def _checkov_environment() -> Path:
    """The virtual environment with exactly the pinned checkov, made once per pin (under a lock,
    so concurrent test runs wait for one install; a half-made one is never used)."""
    pins = CHECKOV_REQUIREMENTS.read_bytes()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "fgc-tests"
    venv = cache / f"checkov-{hashlib.sha256(pins).hexdigest()[:12]}"
    done = venv / "fgc-complete"
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f"{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(venv, ignore_errors=True)
            for step in (
                [sys.executable, "-m", "venv", str(venv)],
                [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "-r", str(CHECKOV_REQUIREMENTS)],
            ):
                made = subprocess.run(step, capture_output=True, text=True, timeout=1800)
                if made.returncode != 0:
                    pytest.fail(f"cannot make checkov's environment: {' '.join(step)}\n{made.stderr}")
            done.write_bytes(pins)
    return venv
