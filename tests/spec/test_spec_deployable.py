"""Valid means deployable: each rule that used to pass validate and fail later, now at its key's line.

Regression tests for issue 12's list (SPEC.md, "Valid means deployable"). The rules that
need compiled templates are tested in tests/compiler/test_compiler_deployable.py.
"""

from __future__ import annotations

import pytest
from fgc.spec.regions import ZONES

from fgc import spec


def problems(text: str) -> list[str]:
    with pytest.raises(spec.SpecError) as caught:
        spec.loads(text, environ={})
    return [str(p) for p in caught.value.problems]


def services(count: int, body: str = "{image: nginx}") -> str:
    """``count`` services ``s0``, ``s1``, ... with ``body`` (``{i}`` in it is the service's number)."""
    return "services:\n" + "".join(f"  s{i}: {body.replace('{i}', str(i))}\n" for i in range(count))


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ('{team: ""}', "2:14: tags.team: a tag value is 1 to 256 characters"),
        (
            "{team: 'a,b'}",
            "2:14: tags.team: tag value 'a,b': use letters, digits, spaces and _ . : / = + - @",
        ),
        ("{'a,b': x}", "2:8: tags.a,b: tag key 'a,b': use letters"),
        ("{team.x: ''}", "2:16: tags.team.x: a tag value is 1 to 256"),
    ],
)
def test_tags_cloudformation_refuses_are_refused(tags: str, expected: str) -> None:
    found = problems(f"app: demo\ntags: {tags}\n" + services(1))
    assert any(p.startswith(f"fargate.yaml:{expected}") for p in found), found


def test_tags_aws_accepts_are_accepted() -> None:
    app = spec.loads("app: demo\ntags: {'team:x/y': 'a b_c.d:e/f=g+h-i@j', équipe: données}\n" + services(1))
    assert app.tags["équipe"] == "données"


def test_discovery_name_cannot_end_in_a_hyphen() -> None:
    found = problems("app: demo\n" + services(1, "{image: nginx, port: 80, discovery: api-}"))
    assert found == [
        "fargate.yaml:3:43: services.s0.discovery: 'api-' is not valid: use a DNS label: lower-case letters, "
        "digits and hyphens (at most 63), not ending in a hyphen"
    ]


def test_discovery_needs_a_port() -> None:
    assert problems("app: demo\n" + services(1, "{image: nginx, discovery: api}")) == [
        "fargate.yaml:3:33: services.s0.discovery: discovery registers the container's port: set port "
        "(nothing could connect)"
    ]


def test_service_names_with_one_logical_id_are_refused() -> None:
    text = "app: demo\nservices:\n  a-1: {image: nginx}\n  a1: {image: nginx}\n"
    assert problems(text) == [
        "fargate.yaml:4:3: services.a1: 'a1' and 'a-1' both become the id A1: rename one"
    ]


def test_more_than_100_services_behind_the_load_balancer() -> None:
    text = "app: demo\n" + services(101, "{image: nginx, port: 80, http: {host: s{i}.example.com}}")
    assert problems(text) == [
        "fargate.yaml:2:1: services: 101 services have http; a load balancer takes at most 100 rules (one each)"
    ]


def test_six_path_patterns_are_refused() -> None:
    text = "app: demo\n" + services(1, "{image: nginx, port: 80, http: {path: [/a, /b, /c]}}")
    assert problems(text) == [
        "fargate.yaml:3:32: services.s0.http: 6 host and path patterns (a path without * counts twice: "
        "/api and /api/*); a load balancer rule takes at most 5"
    ]


def test_499_services_do_not_fit_the_root_stack() -> None:
    found = problems("app: demo\n" + services(499))
    assert found == [
        "fargate.yaml:2:1: services: 499 services: the root stack holds one nested stack per service and per "
        "part, at most 500 resources (here at most 498 services)"
    ]


def test_an_unknown_region_is_refused_at_its_line() -> None:
    found = problems("app: demo\nregion: xx-nowhere-1\n" + services(1))
    assert found[0].startswith("fargate.yaml:2:9: region: unknown region 'xx-nowhere-1' (known: af-south-1,")


def test_more_zones_than_the_region_has() -> None:
    text = "app: demo\nregion: us-west-1\nnetwork: {vpc: {azs: 3}}\n" + services(1)
    assert problems(text) == [
        "fargate.yaml:3:22: network.vpc.azs: us-west-1 has 2 availability zones; azs is 3"
    ]
    assert spec.loads(text.replace("us-west-1", "us-east-1"))


def test_zone_table_is_cfn_lints() -> None:
    from cfnlint.helpers import AVAILABILITY_ZONES

    assert {region: len(zones) for region, zones in AVAILABILITY_ZONES.items()} == ZONES


@pytest.mark.parametrize(
    ("count", "deployment", "stuck"),
    [
        ("count: 2", "{max_percent: 100, min_healthy_percent: 100}", 2),
        ("count: 1", "{max_percent: 150, min_healthy_percent: 50}", 1),
        ("scaling: {min: 1, max: 4, cpu: 50}", "{max_percent: 120, min_healthy_percent: 100}", 1),
    ],
)
def test_a_rollout_that_can_neither_start_nor_stop_a_task(count: str, deployment: str, stuck: int) -> None:
    text = f"app: demo\nservices:\n  api:\n    image: nginx\n    {count}\n    deployment: {deployment}\n"
    found = problems(text)
    assert len(found) == 1
    assert found[0].startswith(
        f"fargate.yaml:6:31: services.api.deployment.max_percent: with {stuck} task(s)"
    )


@pytest.mark.parametrize(
    ("count", "deployment"),
    [
        ("count: 0", "{max_percent: 100, min_healthy_percent: 100}"),
        ("count: 2", "{max_percent: 150, min_healthy_percent: 50}"),
        ("count: 4", "{max_percent: 125, min_healthy_percent: 100}"),
        ("count: 1", "{max_percent: 100, min_healthy_percent: 0}"),
    ],
)
def test_a_rollout_that_can_progress_is_accepted(count: str, deployment: str) -> None:
    assert spec.loads(
        f"app: demo\nservices:\n  api:\n    image: nginx\n    {count}\n    deployment: {deployment}\n"
    )
