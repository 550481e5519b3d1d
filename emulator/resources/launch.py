"""Why a Fargate task would fail to start: what ECS checks between PROVISIONING and RUNNING.

A Fargate task first attaches its network interface in one of the service's subnets, then (in
PENDING) fetches the registry credentials and the secrets its containers reference, then pulls
every image. Each step needs a network path from that subnet and the execution role's permission;
the first step that fails stops the task with ECS's own stop code and reason:

* ``ResourceInitializationError: unable to pull secrets or registry auth: ...`` when the ECR auth
  token, a secret, one of its JSON keys or an SSM parameter cannot be fetched (no route, missing,
  or not allowed to the execution role);
* ``CannotPullContainerError: ...`` when an image cannot be pulled (no route to its registry, not
  allowed, or not in the repository with that tag or digest).

Both stop the task with the stop code ``TaskFailedToStart``. Sources: "Amazon ECS stopped tasks
error codes" and "Troubleshooting Amazon ECS ResourceInitializationError errors"
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/resource-initialization-error.html),
"CannotPullContainer task errors"
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html).

Network paths follow "Amazon ECS interface VPC endpoints": without a route out (a NAT gateway, a
transit gateway, or an internet gateway with a public IP) a task reaches only the AWS services of
its own region that have an interface endpoint in its VPC (``ecr.api``, ``ecr.dkr``,
``secretsmanager``, ``ssm``, ``logs``) and S3 through a gateway endpoint on its route table (image
layers). An image outside ECR (Docker Hub, ``public.ecr.aws``, ...) needs a route out; with one,
it is assumed pullable, as far as the emulator can know.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from moto.ec2.models import ec2_backends
from moto.ecr.models import ecr_backends
from moto.secretsmanager.models import secretsmanager_backends
from moto.ssm.models import ssm_backends

from ..stand_ins import StandIns
from .policy import allowed

TASK_FAILED_TO_START = "TaskFailedToStart"
_ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?$"
)
_AUTH = (
    "ResourceInitializationError: unable to pull secrets or registry auth: "
    "execution resource retrieval failed: "
)
_TIMEOUT = "dial tcp 10.0.0.1:443: i/o timeout. Please check your task network configuration."


@dataclass(frozen=True)
class LaunchFailure:
    """A task that cannot start: the stop reason, and the container it names (pull failures)."""

    reason: str
    container: str | None = None
    stop_code: str = TASK_FAILED_TO_START


@dataclass(frozen=True)
class Reach:
    """Where a task in one subnet can open connections."""

    region: str
    out: bool  # a route out of the VPC: NAT, transit gateway, or internet gateway with a public IP
    endpoints: frozenset[str]  # AWS services with an interface endpoint in the VPC, e.g. "ecr.dkr"
    s3: bool  # an S3 gateway endpoint on the subnet's route table

    def service(self, name: str, region: str) -> bool:
        """An AWS service's regional endpoint (``secretsmanager``, ``ecr.api``, ...)."""
        return self.out or (region == self.region and name in self.endpoints)


def reach(subnet_id: str, public_ip: bool, account_id: str, region_name: str) -> Reach:
    """What the subnet's route table and the VPC's endpoints let a task reach."""
    ec2 = ec2_backends[account_id][region_name]
    subnet = ec2.get_subnet(subnet_id)
    tables = [t for t in ec2.route_tables.values() if t.vpc_id == subnet.vpc_id]
    table = next((t for t in tables if subnet_id in t._associations.values()), None)
    table = table or next((t for t in tables if t.main_association_id is not None), None)
    out = False
    for route in table.routes if table is not None else []:
        if route.destination_cidr_block != "0.0.0.0/0":
            continue
        gateway = getattr(route.gateway, "id", "") or ""
        out = (
            out
            or bool(route.nat_gateway or route.transit_gateway)
            or (gateway.startswith("igw-") and public_ip)
        )
    prefix = f"com.amazonaws.{region_name}."
    endpoints = [e for e in ec2.vpc_end_points.values() if e.vpc_id == subnet.vpc_id]
    interface = frozenset(
        e.service_name.removeprefix(prefix)
        for e in endpoints
        if e.vpc_endpoint_type == "Interface" and e.private_dns_enabled is not False
    )
    s3 = any(
        e.service_name == f"{prefix}s3"
        and e.vpc_endpoint_type == "Gateway"
        and table is not None
        and table.id in (e.route_table_ids or [])
        for e in endpoints
    )
    return Reach(region_name, out, interface, s3)


@dataclass(frozen=True)
class Image:
    uri: str
    host: str
    repository: str
    tag: str | None
    digest: str | None
    #: For an ECR image, its registry's account and region; None for any other registry.
    ecr: tuple[str, str] | None = None

    @property
    def ref(self) -> str:
        """The reference containerd resolves (Docker Hub names get their ``docker.io/`` host)."""
        return self.uri if self.host != "docker.io" else f"docker.io/{self.repository}:{self.tag}"


def parse_image(uri: str, account_id: str | None = None, region_name: str | None = None) -> Image:
    """An image reference's parts. ``<account>.dkr.ecr.<region>...`` is ECR; so is the emulator's
    own registry (``localhost:<port>``, the URIs of its repositories), which serves the task's
    ``account_id`` and ``region_name``."""
    name, _, digest = uri.partition("@")
    head, _, last = name.rpartition("/")
    last, colon, tag = last.partition(":")
    path = f"{head}/{last}" if head else last
    first = path.split("/", 1)[0]
    if "/" in path and ("." in first or ":" in first or first == "localhost"):
        host, repository = path.split("/", 1)
    else:
        host, repository = "docker.io", path if "/" in path else f"library/{path}"
    match = _ECR_HOST.match(host)
    local = host.split(":")[0] in ("localhost", "127.0.0.1") and account_id and region_name
    ecr = (match["account"], match["region"]) if match else (account_id, region_name) if local else None
    reference = tag if colon else (None if digest else "latest")
    return Image(uri, host, repository, reference, digest or None, ecr)  # type: ignore[arg-type]


def _assumed(role_arn: str | None, account_id: str) -> str:
    return f"arn:aws:sts::{account_id}:assumed-role/{(role_arn or 'none').rsplit('/', 1)[-1]}/task"


def _denied(role_arn: str | None, account_id: str, action: str, resource: str) -> str:
    return (
        f"AccessDeniedException: User: {_assumed(role_arn, account_id)} is not authorized to perform: "
        f"{action} on resource: {resource} because no identity-based policy allows the {action} action"
    )


def launch_failure(
    task_definition: Any, network: Reach, account_id: str, region_name: str, stand_ins: StandIns | None = None
) -> LaunchFailure | None:
    """The first reason ECS would stop a task of this definition started with this reach, or None.

    ``stand_ins``: images declared as provided outside fgc (put into their repository when pulled)."""
    containers = task_definition.container_definitions or []
    role = getattr(task_definition, "execution_role_arn", None)
    images = [
        (c.get("name"), parse_image(str(c.get("image") or ""), account_id, region_name)) for c in containers
    ]
    for _, image in images:
        if image.ecr and (failure := _registry_auth(image, network, role, account_id)):
            return failure
    for container in containers:
        for secret in container.get("secrets") or []:
            if failure := _secret(str(secret.get("valueFrom") or ""), network, role, account_id, region_name):
                return failure
    for name, image in images:
        if failure := _pull(name, image, network, role, stand_ins):
            return failure
    return None


def _registry_auth(image: Image, network: Reach, role: str | None, account_id: str) -> LaunchFailure | None:
    region = image.ecr[1]  # type: ignore[index]
    prefix = _AUTH + "unable to retrieve ecr registry auth: service call has been retried 3 time(s): "
    if not network.service("ecr.api", region):
        return LaunchFailure(
            prefix
            + f'RequestError: send request failed caused by: Post "https://api.ecr.{region}.amazonaws.com/": '
            + _TIMEOUT
        )
    if not allowed(role, "ecr:GetAuthorizationToken", "*", account_id, region):
        return LaunchFailure(prefix + _denied(role, account_id, "ecr:GetAuthorizationToken", "*"))
    return None


def _secret(
    value_from: str, network: Reach, role: str | None, account_id: str, region_name: str
) -> LaunchFailure | None:
    """``valueFrom`` is a Secrets Manager ARN, or an SSM parameter's ARN or (same region) name."""
    if value_from.startswith("arn:") and value_from.split(":")[2] == "secretsmanager":
        return _secrets_manager(value_from, network, role, account_id)
    return _parameter(value_from, network, role, account_id, region_name)


def _secrets_manager(
    value_from: str, network: Reach, role: str | None, account_id: str
) -> LaunchFailure | None:
    parts = value_from.split(":")
    region, arn, key = parts[3], ":".join(parts[:7]), (parts[7] if len(parts) > 7 else "")
    prefix = _AUTH + "unable to retrieve secret from asm: service call has been retried "
    if not network.service("secretsmanager", region):
        return LaunchFailure(
            prefix + f'5 time(s): RequestError: send request failed caused by: Post "https://secretsmanager.'
            f'{region}.amazonaws.com/": ' + _TIMEOUT
        )
    backend = secretsmanager_backends[account_id][region]
    secret = backend.secrets.get(arn)
    fetch = f"1 time(s): failed to fetch secret {arn} from secrets manager: "
    if secret is None or secret.is_deleted():
        return LaunchFailure(
            prefix + fetch + "ResourceNotFoundException: Secrets Manager can't find the specified secret."
        )
    if not allowed(role, "secretsmanager:GetSecretValue", secret.arn, account_id, region):
        return LaunchFailure(
            prefix + fetch + _denied(role, account_id, "secretsmanager:GetSecretValue", secret.arn)
        )
    if key:
        value = backend.get_secret_value(secret.arn, None, "AWSCURRENT")  # type: ignore[arg-type]
        text = value.get("SecretString") or ""
        try:
            document = json.loads(text)
        except ValueError:
            document = None
        if not isinstance(document, dict) or key not in document:
            return LaunchFailure(
                prefix + f"1 time(s): retrieved secret from Secrets Manager did not contain json key {key}"
            )
    return None


def parameter_name(value_from: str) -> tuple[str, str | None]:
    """An SSM parameter's name and region (None: the task's) from its ARN or name.

    A name in a hierarchy starts with ``/`` (``/app/key``); the ARN holds it after ``parameter``."""
    if value_from.startswith("arn:"):
        path = value_from.split(":parameter", 1)[1]
        return (path if path.count("/") > 1 else path.lstrip("/")), value_from.split(":")[3]
    return ("/" + value_from if "/" in value_from and not value_from.startswith("/") else value_from), None


def _parameter(
    value_from: str, network: Reach, role: str | None, account_id: str, region_name: str
) -> LaunchFailure | None:
    name, region = parameter_name(value_from)
    region = region or region_name
    arn = f"arn:aws:ssm:{region}:{account_id}:parameter/{name.lstrip('/')}"
    prefix = _AUTH + "unable to retrieve secrets from ssm: service call has been retried "
    if not network.service("ssm", region):
        return LaunchFailure(
            prefix + f'5 time(s): RequestError: send request failed caused by: Post "https://ssm.{region}'
            '.amazonaws.com/": ' + _TIMEOUT
        )
    if not allowed(role, "ssm:GetParameters", arn, account_id, region):
        return LaunchFailure(prefix + "1 time(s): " + _denied(role, account_id, "ssm:GetParameters", arn))
    if ssm_backends[account_id][region].get_parameter(name) is None:
        return LaunchFailure(prefix + f"1 time(s): invalid parameters: {name}")
    return None


def _pull(
    name: str | None, image: Image, network: Reach, role: str | None, stand_ins: StandIns | None
) -> LaunchFailure | None:
    prefix = (
        "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
        f"failed to resolve ref {image.ref}: "
    )
    reference = image.tag or image.digest
    host = "registry-1.docker.io" if image.host == "docker.io" else image.host  # Docker Hub's API host
    head = f'failed to do request: Head "https://{host}/v2/{image.repository}/manifests/{reference}": '
    if image.ecr is None:
        if network.out:
            return None  # a public registry with a route out: assumed pullable
        return LaunchFailure(prefix + head + "dial tcp 10.0.0.1:443: i/o timeout", name)
    account_id, region = image.ecr
    if not network.service("ecr.dkr", region):
        return LaunchFailure(prefix + head + "dial tcp 10.0.0.1:443: i/o timeout", name)
    repository_arn = f"arn:aws:ecr:{region}:{account_id}:repository/{image.repository}"
    if not allowed(role, "ecr:BatchGetImage", repository_arn, account_id, region):
        return LaunchFailure(
            prefix + f"pulling from host {image.host} failed with status code [manifests {reference}]: "
            "403 Forbidden",
            name,
        )
    repository = ecr_backends[account_id][region].repositories.get(image.repository)
    found = repository is not None and any(
        (image.tag is None or image.tag in i.image_tags)
        and (image.digest is None or image.digest == i.get_image_digest())
        for i in repository.images
    )
    if not found and stand_ins is not None:
        found = stand_ins.put_if_declared(image.uri, repository, image.tag, image.digest)
    if not found:
        return LaunchFailure(prefix + f"{image.uri}: not found", name)
    if not network.out and not network.s3:
        return LaunchFailure(
            f"CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: httpReadSeeker: "
            f'failed open: failed to do request: Get "https://prod-{region}-starport-layer-bucket.s3.{region}'
            '.amazonaws.com/": dial tcp 10.0.0.1:443: i/o timeout',
            name,
        )
    return None
