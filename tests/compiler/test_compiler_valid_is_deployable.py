"""Property (SPEC.md, "Valid means deployable"): whatever validate accepts, render renders within
CloudFormation's limits and lints clean.

Documents are generated as YAML text, so the values the issue found changed by YAML 1.1
typing (``1.10``, ``0755``, ``12:30``, ``on``) reach the loader as a user writes them, next
to the edges of every rule: tag characters, DNS labels, route patterns, rollout
percentages, regions and zone counts, overrides. Validation is what `fgc validate`
does: load, and compile (and lint, with overrides) when a compiled rule could be broken.
The same documents check that the JSON Schema accepts whatever the validator accepts.
"""

from __future__ import annotations

import jsonschema
from fgc.compiler import limits
from fgc.spec import deployable
from fgc.spec.schema import as_editors_read, schema
from fgc.spec.yamlsource import parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fgc import compiler, spec

written = st.sampled_from(
    ["1.10", "0755", "12:30", "on", "no", "0x1F", "1.0e+3", "True", "'x,y'", "''", "8080"]
)
labels = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
tag_texts = st.sampled_from(["platform", "a b", "x:y/z=w+v-u@t", "équipe", "a,b", "", "1.10", "on", "0755"])
regions = st.sampled_from(["us-east-1", "us-west-1", "eu-west-1", "xx-nowhere-1", None])
paths = st.lists(st.sampled_from(["/", "/api", "/api/*", "/v2*", "/a/b"]), min_size=1, max_size=4)
percents = st.tuples(st.sampled_from([100, 110, 150, 200]), st.sampled_from([0, 50, 100]))
#: ECS-native strategies, with keys that fit them and keys that do not (refused by validate).
strategies = st.builds(
    lambda strategy, extras: "{" + ", ".join([f"strategy: {strategy}", *extras]) + "}",
    st.sampled_from(["rolling", "blue_green", "canary", "linear"]),
    st.lists(
        st.sampled_from(
            [
                "bake_time: 10m",
                "bake_time: 90s",
                "test_port: 8443",
                "test_port: 80",
                "canary: {percent: 12.5, bake_time: 20h}",
                "canary: {percent: 0.5}",
                "linear: {step_percent: 33.3}",
                "linear: {step_percent: 11, step_bake_time: 3m}",
                "alarms: {http_5xx_percent: 5, p99_latency: 2s, names: [db-errors]}",
                "alarms: {names: [queue-depth]}",
                "rollback: false",
            ]
        ),
        max_size=3,
        unique_by=lambda extra: extra.split(":")[0],
    ),
)
override_paths = st.sampled_from(
    [
        "/Resources/Service/Properties/EnableECSManagedTags",
        "/Resources/Nope/Properties/X",
        "/Outputs/ServiceName",
    ]
)


@st.composite
def service(draw: st.DrawFn, index: int) -> str:
    lines = [f"  s{index}:", "    image: nginx:1.27"]
    port = draw(st.booleans())
    if port:
        lines.append(f"    port: {draw(st.sampled_from(['8080', '0x1F', '80']))}")
        if draw(st.booleans()):
            hosts = draw(
                st.lists(st.sampled_from(["a.example.com", "*.example.com"]), max_size=2, unique=True)
            )
            route = f"path: [{', '.join(draw(paths))}]" + (f", host: [{', '.join(hosts)}]" if hosts else "")
            lines.append(f"    http: {{{route}}}")
    if draw(st.booleans()):
        lines.append(f"    discovery: {draw(labels)}")
    if draw(st.booleans()):
        lines.append(f"    count: {draw(st.sampled_from(['1', '2', '4', '0755']))}")
    if draw(st.booleans()):
        most, least = draw(percents)
        lines.append(f"    deployment: {{max_percent: {most}, min_healthy_percent: {least}}}")
    elif draw(st.booleans()) or any(line.startswith("    http:") for line in lines):
        lines.append(f"    deployment: {draw(strategies)}")
    if draw(st.booleans()):
        values = draw(st.lists(written, min_size=1, max_size=4))
        lines.append("    environment: {" + ", ".join(f"V{i}: {v}" for i, v in enumerate(values)) + "}")
    if draw(st.booleans()):
        lines.append(f"    user: {draw(written)}")
    if draw(st.booleans()):
        lines.append(f"    exec: {draw(st.sampled_from(['true', 'on', 'True']))}")
    return "\n".join(lines)


@st.composite
def documents(draw: st.DrawFn) -> str:
    lines = ["app: demo"]
    region = draw(regions)
    if region:
        lines.append(f"region: {region}")
    lines.append(f"network: {{vpc: {{azs: {draw(st.integers(2, 6))}}}}}")
    tags = draw(st.dictionaries(st.sampled_from(["team", "cost:center", "a,b"]), tag_texts, max_size=2))
    if tags:
        lines.append("tags: {" + ", ".join(f"'{k}': '{v}'" for k, v in tags.items()) + "}")
    count = draw(st.integers(1, 3))
    lines.append("services:")
    lines += [draw(service(i)) for i in range(count)]
    if draw(st.booleans()):
        lines += [
            "overrides:",
            "  service-s0:",
            f"    - {{op: add, path: {draw(override_paths)}, value: true}}",
        ]
    return "\n".join(lines) + "\n"


def validate(text: str) -> spec.Spec | None:
    """The spec when `fgc validate` accepts ``text``, else None."""
    try:
        app = spec.loads(text, environ={})
        if deployable.may_exceed(app):
            limits.verify(app)
    except spec.SpecError:
        return None
    return app


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents())
def test_what_validate_accepts_renders_within_limits_and_lints_clean(text: str) -> None:
    app = validate(text)
    if app is None:
        return
    templates = compiler.compile(app)  # raises if a limit is broken: limits.check runs in compile
    findings = compiler.lint(templates, regions=[app.region] if app.region else None)
    assert [str(f) for f in findings] == [], text


SCHEMA = jsonschema.Draft202012Validator(schema())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=documents())
def test_what_validate_accepts_the_schema_accepts(text: str) -> None:
    """The JSON Schema never flags, in an editor, a generated document that `fgc validate` accepts."""
    if spec_only(text):
        data = as_editors_read(parse(text, "fargate.yaml").data)
        assert [e.message for e in SCHEMA.iter_errors(data)] == [], text


def spec_only(text: str) -> bool:
    try:
        spec.loads(text, environ={})
    except spec.SpecError:
        return False
    return True


@st.composite
def strategy_documents(draw: st.DrawFn) -> str:
    """One or two routed services with a strategy each: most are valid, so the rendering of every
    strategy with its options is what gets linted (the documents above rarely get that far)."""
    lines = ["app: demo", "region: us-east-1"]
    if draw(st.booleans()):
        lines.append(
            "load_balancer: {certificate: arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0000-1111}"
        )
    lines.append("services:")
    for index in range(draw(st.integers(1, 2))):
        lines += [
            f"  s{index}:",
            "    image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
            "    port: 8080",
            f"    http: {{path: /s{index}}}",
            f"    deployment: {draw(strategies)}",
        ]
    return "\n".join(lines) + "\n"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=strategy_documents())
def test_what_validate_accepts_with_strategies_renders_and_lints_clean(text: str) -> None:
    app = validate(text)
    if app is None:
        return
    findings = compiler.lint(compiler.compile(app), regions=["us-east-1"])
    assert [str(f) for f in findings] == [], text
