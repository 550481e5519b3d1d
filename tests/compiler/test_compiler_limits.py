"""CloudFormation limits hold at any size: 200 services, 90 of them behind the load balancer."""

from __future__ import annotations

import pytest
from fgc.compiler import StackSet, priorities
from wiring import check_wiring

from fgc import compiler, spec

MAX_RESOURCES, MAX_PARAMETERS, MAX_OUTPUTS, MAX_BYTES = 500, 200, 200, 1_048_576


def _document(services: int, routed: int) -> str:
    lines = ["app: big", "tags: {team: scale}", "services:"]
    for i in range(services):
        lines += [f"  svc-{i:03d}:", f"    image: registry.example.com/svc-{i:03d}:1.{i}.0"]
        if i < routed:
            host = f", host: svc-{i:03d}.example.com" if i % 3 == 0 else ""
            lines += ["    port: 8080", f"    http: {{path: /svc-{i:03d}{host}}}"]
            lines += ["    scaling: {min: 1, max: 4, cpu: 60, requests: 500}"]
        if i % 2:
            lines += (
                [f"    discovery: svc-{i:03d}", "    port: 8080"]
                if i >= routed
                else [f"    discovery: svc-{i:03d}"]
            )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def big() -> StackSet:
    return compiler.compile(spec.loads(_document(200, 90), environ={}))


def test_every_template_fits_cloudformation_limits(big: StackSet) -> None:
    assert len(big) == 1 + 2 + 200  # root, network, cluster, services
    for name in big:
        template = big[name]
        assert len(template["Resources"]) <= MAX_RESOURCES, name
        assert len(template.get("Parameters", {})) <= MAX_PARAMETERS, name
        assert len(template.get("Outputs", {})) <= MAX_OUTPUTS, name
        assert len(big.body(name).encode()) <= MAX_BYTES, name


def test_the_big_set_is_wired(big: StackSet) -> None:
    assert check_wiring(big) == []


def test_image_tags_fall_back_to_one_list_parameter_beyond_the_limit(big: StackSet) -> None:
    """200 tag parameters + ArtifactsUrl would be 201: the tags travel as one list, in service order."""
    assert list(big.parameters) == ["ImageTags"]
    assert big.parameters["ImageTags"].split(",")[:2] == ["1.0.0", "1.1.0"]
    stack = big["root"]["Resources"]["ServiceSvc001"]["Properties"]
    assert stack["Parameters"]["ImageTag"] == {"Fn::Select": [1, {"Ref": "ImageTags"}]}


def test_root_keeps_per_service_outputs_only_when_they_fit(big: StackSet) -> None:
    outputs = big["root"]["Outputs"]
    assert {"ClusterName", "LoadBalancerUrl"} <= set(outputs)
    assert not any(name.startswith("Service") for name in outputs)  # read from the service stacks instead
    assert "ServiceName" in big["service-svc-000"]["Outputs"]


def test_listener_rule_priorities_are_unique_and_valid(big: StackSet) -> None:
    found = [
        big[name]["Resources"]["ListenerRule"]["Properties"]["Priority"]
        for name in big
        if "ListenerRule" in big[name].get("Resources", {})
    ]
    assert len(found) == 90
    assert len(set(found)) == 90
    assert all(1 <= p <= 50000 for p in found)


def test_small_sets_keep_one_parameter_per_service() -> None:
    templates = compiler.compile(spec.loads(_document(3, 1), environ={}))
    assert templates.parameters == {
        "Svc000ImageTag": "1.0.0",
        "Svc001ImageTag": "1.1.0",
        "Svc002ImageTag": "1.2.0",
    }
    assert priorities.BUCKET_SIZE * priorities.BUCKETS <= 50000
