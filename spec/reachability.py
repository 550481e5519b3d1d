"""What tasks can reach from the network the spec builds: knowable offline, so checked by ``validate``.

fgc starts tasks in private subnets without a public IP. With ``network.vpc.nat: none`` they have
no route out of the VPC: they reach only the AWS services of their own region that have an
interface endpoint in the VPC (``endpoints: true`` creates ECR api and dkr, logs, Secrets Manager
and SSM ones, plus the S3 gateway for image layers). So an image outside ECR of that region
(Docker Hub, ``public.ecr.aws``, ghcr.io, another region's ECR), or a secret or parameter of
another region, cannot be fetched, and on AWS the tasks stop with ``CannotPullContainerError`` or
``ResourceInitializationError`` after a 10-30 minute circuit-breaker rollback
("Amazon ECS interface VPC endpoints (AWS PrivateLink)": the endpoints serve their own region).

An existing VPC's routes are not known offline (the preflight reads them); a spec without
``region`` is checked only for what does not depend on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_ECR_HOST = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(\.cn)?/")
_FIX_IMAGE = (
    "set network.vpc.nat: single (a NAT gateway), or use an image in ECR of {region} (e.g. from `registries`)"
)


def problems(spec: Any) -> list[tuple[str, str]]:
    """``(key path, message)`` for each thing the spec's tasks could not reach."""
    vpc = spec.network.vpc
    if spec.network.existing is not None or vpc is None or vpc.nat != "none":
        return []
    region = spec.region or "their region"
    if not vpc.endpoints:
        return [
            (
                "network.vpc.endpoints",
                "with nat: none and endpoints: false, tasks reach no registry, no secret and no log group: "
                "set network.vpc.endpoints: true (ECR of their region only) or network.vpc.nat: single",
            )
        ]
    return list(_images(spec, region)) + list(_secrets(spec, region))


def _containers(spec: Any) -> Iterator[tuple[str, Any]]:
    for name, service in spec.services.items():
        yield f"services.{name}", service
        for sidecar, container in service.sidecars.items():
            yield f"services.{name}.sidecars.{sidecar}", container


def _images(spec: Any, region: str) -> Iterator[tuple[str, str]]:
    for where, container in _containers(spec):
        image = container.image
        if not isinstance(image, str):
            continue  # a repository of `registries`: ECR in the stack's own region
        match = _ECR_HOST.match(image)
        if match and (spec.region is None or match["region"] == spec.region):
            continue
        place = f"ECR of {match['region']}" if match else "a registry outside ECR"
        yield (
            f"{where}.image",
            f"tasks cannot pull {image} ({place}): with network.vpc.nat: none they reach only ECR of "
            f"{region}, through the VPC endpoints; " + _FIX_IMAGE.format(region=region),
        )


def _secrets(spec: Any, region: str) -> Iterator[tuple[str, str]]:
    if spec.region is None:
        return
    for where, container in _containers(spec):
        for variable, ref in container.secrets.items():
            arn = ref.secretsmanager or ref.ssm or ""
            if arn.startswith("arn:") and arn.split(":")[3] != spec.region:
                kind = "secretsmanager" if ref.secretsmanager else "ssm"
                yield (
                    f"{where}.secrets.{variable}.{kind}",
                    f"tasks cannot read {arn}: it is in {arn.split(':')[3]}, and with network.vpc.nat: none "
                    f"the {kind} endpoint serves only {region}; set network.vpc.nat: single, or keep the "
                    f"secret in {region}",
                )
