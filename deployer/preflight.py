"""Read-only checks before a change set: what the deploy reads from outside its stacks exists.

CloudFormation learns that an image tag, a secret or a JSON key is missing only when the tasks
stop, after a 10-30 minute circuit-breaker rollback. These checks ask first, concurrently, at most
one call per referenced image, secret, parameter, certificate, zone and subnet set:

* images not built by fgc are in their ECR repository with that tag (``ecr:DescribeImages``);
* secrets exist and, when the caller may read them, have the named JSON keys; parameters exist;
* the certificate exists, is issued and covers the domain; the hosted zone exists and holds it;
* an existing VPC's private subnets exist, have a route out or the endpoints the tasks need, and
  enough free addresses for ``max`` tasks during a rollout (``max_percent``).

A check the caller may not make is reported as skipped, never as passed. Each failure names the
fargate.yaml key, what is missing and the fix.
"""

from __future__ import annotations

import json
import math
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from fgc.deployer.session import Aws, error_code

PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnrecognizedClientException")
_ECR = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<repo>[^:@]+)[:@](?P<ref>.+)$"
)


@dataclass(frozen=True)
class Check:
    """One line of the checklist."""

    what: str
    key: str
    status: str
    detail: str = ""
    fix: str = ""


@dataclass
class Preflight:
    checks: list[Check] = field(default_factory=list)
    calls: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == FAILED]


def preflight(spec: Any, aws: Aws, stood_in: Iterable[str] = (), workers: int = 8) -> Preflight:
    """Run every check the spec calls for; ``stood_in``: names a rehearsal stood in (not checked)."""
    planned = list(_planned(spec, aws, set(stood_in)))
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        checks = list(pool.map(_guarded, planned))
    return Preflight(checks, len(planned), time.monotonic() - started)


Planned = tuple[str, str, Callable[[], Check]]


def _guarded(planned: Planned) -> Check:
    """A check, with a refusal to answer turned into "skipped"."""
    import botocore.exceptions as bex

    what, key, run = planned
    try:
        return run()
    except bex.ClientError as err:
        if error_code(err) in _DENIED:
            return Check(what, key, SKIPPED, f"not permitted: {error_code(err)}")
        return Check(what, key, SKIPPED, f"could not check: {err}")


def _planned(spec: Any, aws: Aws, stood_in: set[str]) -> Iterable[Planned]:
    images: dict[str, str] = {}
    secrets: dict[str, tuple[str, set[str]]] = {}
    parameters: dict[str, str] = {}
    for where, container in _containers(spec):
        image = container.image
        if isinstance(image, str) and _ECR.match(image) and image not in stood_in:
            images.setdefault(image, f"{where}.image")
        for variable, ref in container.secrets.items():
            key = f"{where}.secrets.{variable}"
            if ref.secretsmanager and ref.secretsmanager not in stood_in:
                secrets.setdefault(ref.secretsmanager, (key, set()))[1].update([ref.key] if ref.key else [])
            elif ref.ssm and ref.ssm not in stood_in:
                parameters.setdefault(ref.ssm, key)
    for uri, key in images.items():
        yield f"image {uri}", key, _image_check(aws, uri, _ECR.match(uri), key)  # type: ignore[arg-type]
    for name, (key, json_keys) in secrets.items():
        what = f"secret {name}" + (f" keys {', '.join(sorted(json_keys))}" if json_keys else "")
        yield what, key, _secret_check(aws, name, sorted(json_keys), key, what)
    for name, key in parameters.items():
        yield f"parameter {name}", key, _parameter_check(aws, name, key)
    balancer = spec.load_balancer
    if balancer.certificate:
        yield "certificate", "load_balancer.certificate", _certificate_check(aws, spec)
    if balancer.domain:
        yield "hosted zone", "load_balancer.domain.hosted_zone", _zone_check(aws, balancer.domain)
    if spec.network.existing is not None:
        yield "private subnets", "network.existing.private_subnets", _subnets_check(aws, spec)
        yield "route out", "network.existing.private_subnets", _route_check(aws, spec)


def _containers(spec: Any) -> Iterable[tuple[str, Any]]:
    for name, service in spec.services.items():
        yield f"services.{name}", service
        for sidecar, container in service.sidecars.items():
            yield f"services.{name}.sidecars.{sidecar}", container


def _client(aws: Aws, service: str, region: str | None = None) -> Any:
    if region is None or region == aws.region:
        return aws.client(service)
    return aws.session.client(service, region_name=region, endpoint_url=aws.endpoint_url, config=aws.config)


def _image_check(aws: Aws, uri: str, match: re.Match[str], key: str) -> Callable[[], Check]:
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
            if code in ("ImageNotFoundException", "RepositoryNotFoundException"):
                missing = "repository" if code == "RepositoryNotFoundException" else "tag"
                return Check(
                    f"image {uri}",
                    key,
                    FAILED,
                    f"the {missing} does not exist",
                    f"push {uri} first, or change {key}",
                )
            raise
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
            if error_code(err) not in _DENIED:
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
