"""Read-only checks before a change set: what the deploy reads from outside its stacks exists.

CloudFormation learns that an image tag, a secret or a JSON key is missing only when the tasks
stop, after a 10-30 minute circuit-breaker rollback. These checks ask first, concurrently, at most
one call per referenced image, secret, parameter, certificate, zone and subnet set:

* images not built by fgc are in their ECR repository with that tag (``ecr:DescribeImages``): a full
  ECR URI, or ``{registry: X, tag: T}`` naming this app's repository in the deploy's region;
* secrets exist and, when the caller may read them, have the named JSON keys; parameters exist;
* the certificate exists, is issued and covers the domain; the hosted zone exists and holds it;
* an existing VPC's private subnets exist, have a route out or the endpoints the tasks need, and
  enough free addresses for ``max`` tasks during a rollout (``max_percent``).

A check the caller may not make is reported as skipped, never as passed. Each failure names the
fargate.yaml key, what is missing and the fix. Each kind of check has a stable ID (:data:`CHECKS`,
documented in docs/preflight.md), so users and tests can name it.

What a one-shot ``--local`` rehearsal stood in (``stood_in``: an image nobody could build or push
there, a secret or parameter value) is listed as skipped, "stood in by this rehearsal", and never
asked: the emulator's ECR holds a stood-in image only once a task pulls it, and answering for it
earlier would show as passed a check that fails on AWS until the user pushes the image. A green
rehearsal thus means a green deploy once what it names as stood in exists; the deploy checks it.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from fgc.deployer.session import DENIED_CODES, Aws, error_code

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"

#: Stable ID -> what the check asks (docs/preflight.md lists them with their fixes).
CHECKS = {
    "P101": "an image fgc does not build is in its ECR repository with its tag",
    "P201": "a Secrets Manager secret exists and has the JSON keys the spec names",
    "P202": "an SSM parameter exists",
    "P301": "the load balancer's certificate exists, is issued and covers the domain",
    "P302": "the hosted zone exists and holds the domain",
    "P401": "an existing VPC's private subnets have free addresses for a rollout at max",
    "P402": "an existing VPC's private subnets have a route out or the endpoints the tasks need",
}
#: Why a check is not made in a rehearsal (see the module docstring).
STOOD_IN = "stood in by this rehearsal: a deploy to AWS checks it"
_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repo>[^:@]+)[:@](?P<ref>.+)$"
)


@dataclass(frozen=True)
class Check:
    """One line of the checklist; ``id`` is its kind's stable ID (:data:`CHECKS`)."""

    what: str
    key: str
    status: str
    detail: str = ""
    fix: str = ""
    id: str = ""


@dataclass
class Preflight:
    checks: list[Check] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAILED]


def preflight(spec: Any, aws: Aws, stood_in: Iterable[str] = (), workers: int = 8) -> Preflight:
    """Run every check the spec calls for; ``stood_in``: names a rehearsal stood in (listed as
    skipped, not asked). ``calls`` counts the checks that asked AWS."""
    planned = list(_planned(spec, aws, set(stood_in)))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        checks = list(pool.map(_guarded, planned))
    asked = sum(run is not None for *_, run in planned)
    return Preflight(checks, asked, time.monotonic() - started)


#: (ID, what, fargate.yaml key, the check; None for what a rehearsal stood in)
Planned = tuple[str, str, str, Callable[[], Check] | None]


def _guarded(planned: Planned) -> Check:
    """A check with its ID, a refusal to answer turned into "skipped"."""
    import botocore.exceptions as bex

    check_id, what, key, run = planned
    try:
        check = Check(what, key, SKIPPED, STOOD_IN) if run is None else run()
    except bex.ClientError as err:
        code = error_code(err)
        reason = f"not permitted: {code}" if code in DENIED_CODES else f"could not check: {err}"
        check = Check(what, key, SKIPPED, reason)
    return replace(check, id=check_id)


def _planned(spec: Any, aws: Aws, stood_in: set[str]) -> Iterable[Planned]:
    images: dict[str, tuple[str, str | None]] = {}  # URI -> (key, this app's registry or None)
    secrets: dict[str, tuple[str, set[str]]] = {}
    parameters: dict[str, str] = {}
    for where, container in _containers(spec):
        if uri := _unbuilt_image(container.image, aws):
            images.setdefault(uri, (f"{where}.image", getattr(container.image, "registry", None)))
        for variable, ref in container.secrets.items():
            key = f"{where}.secrets.{variable}"
            if ref.secretsmanager:
                secrets.setdefault(ref.secretsmanager, (key, set()))[1].update([ref.key] if ref.key else [])
            elif ref.ssm:
                parameters.setdefault(ref.ssm, key)
    for uri, (key, registry) in images.items():
        check = _image_check(aws, uri, key, None if registry is None else (spec.app, registry))
        yield "P101", f"image {uri}", key, None if uri in stood_in else check
    for name, (key, json_keys) in secrets.items():
        what = f"secret {name}" + (f" keys {', '.join(sorted(json_keys))}" if json_keys else "")
        check = _secret_check(aws, name, sorted(json_keys), key, what)
        yield "P201", what, key, None if name in stood_in else check
    for name, key in parameters.items():
        yield "P202", f"parameter {name}", key, None if name in stood_in else _parameter_check(aws, name, key)
    balancer = spec.load_balancer
    if balancer.certificate:
        yield "P301", "certificate", "load_balancer.certificate", _certificate_check(aws, spec)
    if balancer.domain:
        yield "P302", "hosted zone", "load_balancer.domain.hosted_zone", _zone_check(aws, balancer.domain)
    if spec.network.existing is not None:
        yield "P401", "private subnets", "network.existing.private_subnets", _subnets_check(aws, spec)
        yield "P402", "route out", "network.existing.private_subnets", _route_check(aws, spec)


def _unbuilt_image(image: Any, aws: Aws) -> str | None:
    """The ECR URI of an image fgc does not build, None for any other: a full ECR URI as written,
    or ``{registry: X, tag: T}`` without ``build``, this app's repository X in the deploy's region
    (``<account>.dkr.ecr.<region>.amazonaws.com/X:T``). Images elsewhere (Docker Hub, ECR Public)
    are for ``fgc validate``'s reachability check, not for a registry call."""
    if isinstance(image, str):
        return image if _ECR.match(image) else None
    if image.build is not None:
        return None
    return f"{aws.account}.dkr.ecr.{aws.region}.amazonaws.com/{image.registry}:{image.tag}"


def _containers(spec: Any) -> Iterable[tuple[str, Any]]:
    for name, service in spec.services.items():
        yield f"services.{name}", service
        for sidecar, container in service.sidecars.items():
            yield f"services.{name}.sidecars.{sidecar}", container


def _client(aws: Aws, service: str, region: str | None = None) -> Any:
    if region is None or region == aws.region:
        return aws.client(service)
    return aws.session.client(service, region_name=region, endpoint_url=aws.endpoint_url, config=aws.config)


def _image_check(aws: Aws, uri: str, key: str, own: tuple[str, str] | None) -> Callable[[], Check]:
    """``own``: (app, registry) when the image names one of this app's registries (fgc creates the
    repository, in its ``<app>-registries`` stack, but pushes only what it builds)."""
    match = _ECR.match(uri)
    assert match is not None  # _unbuilt_image returns ECR URIs only

    def run() -> Check:
        import botocore.exceptions as bex

        ref = match["ref"]
        image_id = {"imageDigest": ref} if ref.startswith("sha256:") else {"imageTag": ref}
        ecr = _client(aws, "ecr", match["region"])
        try:
            ecr.describe_images(
                registryId=match["account"], repositoryName=match["repo"], imageIds=[image_id]
            )
        except bex.ClientError as err:
            code = error_code(err)
            if code not in ("ImageNotFoundException", "RepositoryNotFoundException"):
                raise
            detail = (
                "the repository does not exist"
                if code == "RepositoryNotFoundException"
                else "the tag does not exist"
            )
            fix = f"push {uri} first, or change {key}"
            if own is not None:
                app, registry = own
                if code == "RepositoryNotFoundException":
                    detail = (
                        f"the repository {registry} does not exist yet: fgc creates it (stack "
                        f"{app}-registries) and pushes only the images it builds, so the tag cannot be in it"
                    )
                fix = (
                    f"`fgc push` creates the repository, then push {uri} (docker push); or give {key} "
                    "a build: folder to have fgc build and push it"
                )
            return Check(f"image {uri}", key, FAILED, detail, fix)
        return Check(f"image {uri}", key, PASSED)

    return run


def _secret_check(aws: Aws, name: str, json_keys: list[str], key: str, what: str) -> Callable[[], Check]:
    """One call: the value when keys are named (its keys checked), else the description."""

    def run() -> Check:
        import botocore.exceptions as bex

        region = name.split(":")[3] if name.startswith("arn:") else None
        client = _client(aws, "secretsmanager", region)
        fix = f"fgc secret set {name}" + (" --key KEY" if json_keys else "") + " (value on stdin)"
        try:
            if not json_keys:
                client.describe_secret(SecretId=name)
                return Check(what, key, PASSED)
            value = client.get_secret_value(SecretId=name).get("SecretString") or ""
        except bex.ClientError as err:
            if error_code(err) == "ResourceNotFoundException":
                return Check(what, key, FAILED, "the secret does not exist", fix)
            if error_code(err) not in DENIED_CODES:
                raise
            client.describe_secret(SecretId=name)  # may the caller at least see it exists?
            return Check(what, key, SKIPPED, "it exists; its value may not be read here to check its keys")
        try:
            document = json.loads(value)
        except ValueError:
            document = None
        missing = [k for k in json_keys if not isinstance(document, dict) or k not in document]
        if missing:
            fixes = "; ".join(f"fgc secret set {name} --key {k} (value on stdin)" for k in missing)
            return Check(what, key, FAILED, f"the secret has no JSON key {', '.join(missing)}", fixes)
        return Check(what, key, PASSED)

    return run


def _parameter_check(aws: Aws, name: str, key: str) -> Callable[[], Check]:
    def run() -> Check:
        region = name.split(":")[3] if name.startswith("arn:") else None
        path = name.split(":parameter", 1)[1] if name.startswith("arn:") else name
        found = _client(aws, "ssm", region).get_parameters(Names=[path])
        if found.get("InvalidParameters"):
            return Check(
                f"parameter {name}",
                key,
                FAILED,
                "the parameter does not exist",
                f"aws ssm put-parameter --name {path} --type SecureString --value ...",
            )
        return Check(f"parameter {name}", key, PASSED)

    return run


def _certificate_check(aws: Aws, spec: Any) -> Callable[[], Check]:
    def run() -> Check:
        arn = spec.load_balancer.certificate
        key = "load_balancer.certificate"
        certificate = _client(aws, "acm", arn.split(":")[3]).describe_certificate(CertificateArn=arn)[
            "Certificate"
        ]
        if certificate.get("Status") != "ISSUED":
            return Check(
                "certificate", key, FAILED, f"status {certificate.get('Status')}", "validate it in ACM"
            )
        domain = spec.load_balancer.domain
        names = [certificate.get("DomainName", ""), *certificate.get("SubjectAlternativeNames", [])]
        if domain and not any(_covers(n, domain.name) for n in names):
            return Check(
                "certificate", key, FAILED, f"does not cover {domain.name}", "use a certificate for it"
            )
        return Check("certificate", key, PASSED)

    return run


def _covers(pattern: str, name: str) -> bool:
    if pattern.startswith("*."):
        return name.count(".") == pattern.count(".") and name.endswith(pattern[1:])
    return pattern == name


def _zone_check(aws: Aws, domain: Any) -> Callable[[], Check]:
    def run() -> Check:
        zone = aws.client("route53").get_hosted_zone(Id=domain.hosted_zone)["HostedZone"]
        suffix = zone["Name"].rstrip(".")
        key = "load_balancer.domain.hosted_zone"
        if domain.name != suffix and not domain.name.endswith("." + suffix):
            return Check(
                "hosted zone", key, FAILED, f"{suffix} does not hold {domain.name}", "name the zone of it"
            )
        return Check("hosted zone", key, PASSED)

    return run


def _subnets_check(aws: Aws, spec: Any) -> Callable[[], Check]:
    def run() -> Check:
        existing = spec.network.existing
        key = "network.existing.private_subnets"
        subnets = aws.client("ec2").describe_subnets(SubnetIds=existing.private_subnets)["Subnets"]
        free = sum(int(s.get("AvailableIpAddressCount", 0)) for s in subnets)
        needed = sum(
            math.ceil((s.scaling.max if s.scaling else s.count) * s.deployment.max_percent / 100)
            for s in spec.services.values()
        )
        if free < needed:
            return Check(
                "private subnets",
                key,
                FAILED,
                f"{free} free addresses, a rollout at max needs {needed}",
                "use larger private subnets, or lower services.*.scaling.max or deployment.max_percent",
            )
        return Check("private subnets", key, PASSED, f"{free} free addresses, {needed} needed at most")

    return run


def _route_check(aws: Aws, spec: Any) -> Callable[[], Check]:
    """Private subnets need a route out (NAT, transit gateway) or the endpoints their tasks use:
    ECR api and dkr plus the S3 gateway for same-region ECR images, Secrets Manager, SSM, logs."""

    def run() -> Check:
        existing = spec.network.existing
        key = "network.existing.private_subnets"
        ec2 = aws.client("ec2")
        vpc = [{"Name": "vpc-id", "Values": [existing.vpc_id]}]
        tables = ec2.describe_route_tables(Filters=vpc)["RouteTables"]
        endpoints = ec2.describe_vpc_endpoints(Filters=vpc)["VpcEndpoints"]
        needed = _needed_endpoints(spec, aws.region)
        for subnet in existing.private_subnets:
            table = next(
                (t for t in tables if any(a.get("SubnetId") == subnet for a in t.get("Associations", []))),
                next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None),
            )
            routes = (table or {}).get("Routes", [])
            if any(
                r.get("DestinationCidrBlock") == "0.0.0.0/0"
                and (r.get("NatGatewayId") or r.get("TransitGatewayId"))
                for r in routes
            ):
                continue
            prefix = f"com.amazonaws.{aws.region}."
            have = {
                e["ServiceName"].removeprefix(prefix)
                for e in endpoints
                if e.get("VpcEndpointType") == "Interface"
                or (table is not None and table["RouteTableId"] in e.get("RouteTableIds", []))
            }
            missing = sorted(needed - have)
            if missing:
                return Check(
                    "route out",
                    key,
                    FAILED,
                    f"{subnet} has no route out (NAT or transit gateway) and nothing reaches "
                    + ", ".join(missing),
                    "add a NAT gateway route to its route table, or those VPC endpoints",
                )
        return Check("route out", key, PASSED)

    return run


def _needed_endpoints(spec: Any, region: str) -> set[str]:
    """The AWS services private tasks without a route out must reach through endpoints."""
    needed = {"logs"}
    for _, container in _containers(spec):
        image = container.image
        match = _ECR.match(image) if isinstance(image, str) else None
        if not isinstance(image, str) or (match and match["region"] == region):
            needed |= {"ecr.api", "ecr.dkr", "s3"}
        else:
            needed.add(f"the registry of {image}")  # outside ECR of this region: no endpoint serves it
        for ref in container.secrets.values():
            needed.add("secretsmanager" if ref.secretsmanager else "ssm")
    return needed
