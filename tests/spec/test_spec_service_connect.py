"""``discovery.mode``: dns (the default) or service_connect, and what each refuses at its line."""

from __future__ import annotations

import pytest

from fgc import spec

EXISTING = (
    "network:\n  existing: {vpc_id: vpc-0abc, public_subnets: [subnet-1a, subnet-1b], "
    "private_subnets: [subnet-2a, subnet-2b]}\n"
)


def problems(text: str) -> list[str]:
    with pytest.raises(spec.SpecError) as caught:
        spec.loads(text, environ={})
    return [str(p) for p in caught.value.problems]


def test_dns_is_the_default() -> None:
    app = spec.loads("app: demo\nservices:\n  api: {image: nginx, port: 80, discovery: api}\n", environ={})
    assert app.discovery.mode == "dns"


def test_service_connect_with_a_publisher_and_a_client_is_valid() -> None:
    app = spec.loads(
        "app: demo\ndiscovery: {mode: service_connect}\nservices:\n"
        "  api: {image: nginx, port: 80, discovery: api}\n  worker: {image: nginx}\n",
        environ={},
    )
    assert app.discovery.mode == "service_connect"


def test_an_unknown_mode_is_refused_at_its_line() -> None:
    found = problems("app: demo\ndiscovery:\n  mode: mesh\nservices:\n  api: {image: nginx}\n")
    assert found == ["fargate.yaml:3:9: discovery.mode: Input should be 'dns' or 'service_connect'"]


def test_service_connect_without_a_publishing_service_is_refused_at_the_mode() -> None:
    found = problems(
        "app: demo\ndiscovery:\n  mode: service_connect\nservices:\n  api: {image: nginx, port: 80}\n"
    )
    assert found == [
        "fargate.yaml:3:9: discovery.mode: service_connect needs a service that publishes a name: "
        "set discovery: <name> (and port) on the service the others call"
    ]


def test_a_published_name_still_needs_a_port() -> None:
    found = problems(
        "app: demo\ndiscovery: {mode: service_connect}\nservices:\n  api: {image: nginx, discovery: api}\n"
    )
    assert any("services.api.discovery: discovery registers the container's port" in p for p in found)


def test_a_published_name_is_a_dns_label_valid_for_every_service_connect_name() -> None:
    """The label is the discovery name, the port name and the client alias: a name ECS would
    refuse for any of them (upper case, a leading hyphen, over 64 characters) is refused here."""
    for bad in ("Api", "-api", "a" * 65):
        found = problems(
            "app: demo\ndiscovery: {mode: service_connect}\nservices:\n"
            f"  api: {{image: nginx, port: 80, discovery: {bad}}}\n"
        )
        assert any("services.api.discovery" in p for p in found), (bad, found)


def test_two_services_cannot_publish_the_same_name() -> None:
    found = problems(
        "app: demo\ndiscovery: {mode: service_connect}\nservices:\n"
        "  a: {image: nginx, port: 80, discovery: api}\n  b: {image: nginx, port: 81, discovery: api}\n"
    )
    assert any("services.b.discovery: 'api' is already the discovery name of a" in p for p in found)


def test_an_existing_vpc_needs_its_cidr_only_for_dns_callers() -> None:
    """DNS mode opens a published port to the VPC's block; Service Connect only to the app's tasks."""
    body = "services:\n  api: {image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1, port: 80, discovery: api}\n"
    found = problems("app: demo\nregion: us-east-1\n" + EXISTING + body)
    assert any("network.existing: add cidr:" in p for p in found)
    app = spec.loads(
        "app: demo\nregion: us-east-1\ndiscovery: {mode: service_connect}\n" + EXISTING + body, environ={}
    )
    assert app.network.existing is not None and app.network.existing.cidr is None
