"""Generated specs: whatever valid document comes in, the output keeps its invariants.

Wiring between root and children holds, no statement opens secrets/SSM/KMS on ``*``,
tasks get no public IP, and compiling twice gives the same bytes.
"""

from __future__ import annotations

import json

from fgc.spec.errors import SpecError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from wiring import check_wiring

from fgc import compiler, spec

names = st.from_regex(r"[a-z][a-z0-9]{0,6}", fullmatch=True)
images = st.sampled_from(
    ["nginx", "nginx:1.27", "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1", "ghcr.io/x/y@sha256:abc"]
)
secret_refs = st.one_of(
    st.builds(lambda n: {"secretsmanager": f"app/{n}"}, names),
    st.builds(lambda n, k: {"secretsmanager": f"app/{n}", "key": k}, names, names),
    st.builds(lambda n: {"ssm": f"/app/{n}"}, names),
)


@st.composite
def services(draw: st.DrawFn) -> dict:
    service: dict = {"image": draw(images)}
    if draw(st.booleans()):
        service["port"] = draw(st.integers(1024, 9000))
        if draw(st.booleans()):
            route = draw(st.sampled_from([{"path": "/"}, {"path": "/api"}, {"host": "a.example.com"}]))
            service["http"] = {**route}
            strategy = draw(st.sampled_from(["rolling", "blue_green", "canary", "linear"]))
            service["deployment"] = {"strategy": strategy}
            if strategy != "rolling" and draw(st.booleans()):
                service["deployment"]["test_port"] = draw(st.integers(8081, 8090))
            if draw(st.booleans()):
                service["deployment"]["alarms"] = {"http_5xx_percent": 5, "p99_latency": "2s"}
        if draw(st.booleans()):
            service["discovery"] = draw(names)
    if draw(st.booleans()):
        service["secrets"] = draw(
            st.dictionaries(st.from_regex(r"[A-Z]{1,6}", fullmatch=True), secret_refs, max_size=3)
        )
    if draw(st.booleans()):
        service["scaling"] = {"min": 1, "max": 4, "cpu": draw(st.integers(10, 90))}
    if draw(st.booleans()):
        service["capacity"] = {"on_demand": draw(st.integers(0, 2)), "spot": 1}
    service["exec"] = draw(st.booleans())
    service["readonly_root"] = draw(st.booleans())
    if draw(st.booleans()):
        service["sidecars"] = {"side": {"image": draw(images), "essential": False}}
    return service


documents = st.builds(
    lambda app, svcs, tags: {"app": app, "tags": tags, "services": svcs},
    names,
    st.dictionaries(names, services(), min_size=1, max_size=4),
    st.dictionaries(st.from_regex(r"[a-z]{1,5}", fullmatch=True), names, max_size=2),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_generated_specs_compile_with_their_invariants(document: dict) -> None:
    try:
        app = spec.loads(json.dumps(document), environ={})
    except SpecError:
        assume(False)  # e.g. two services routing the same path: refused by validation, fine
    first, second = compiler.compile(app), compiler.compile(app)
    assert [first.body(n) for n in first] == [second.body(n) for n in second]
    assert check_wiring(first) == []
    for name in first:
        for resource in first[name]["Resources"].values():
            if resource["Type"] == "AWS::ECS::Service":
                assert resource["Properties"]["NetworkConfiguration"]["AwsvpcConfiguration"][
                    "AssignPublicIp"
                ] == ("DISABLED")
            if resource["Type"] == "AWS::IAM::Role":
                for policy in resource["Properties"]["Policies"]:
                    for statement in policy["PolicyDocument"]["Statement"]:
                        if statement["Resource"] == "*":
                            actions = (
                                statement["Action"]
                                if isinstance(statement["Action"], list)
                                else [statement["Action"]]
                            )
                            assert not [
                                a for a in actions if a.startswith(("secretsmanager:", "ssm:", "kms:"))
                            ]
