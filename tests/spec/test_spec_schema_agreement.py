"""The JSON Schema (`fgc schema`) and the validator agree, both ways, on every document we have.

What the validator accepts, the schema accepts. What the validator refuses, the schema
refuses too, except where the reason is a rule JSON Schema cannot state (two keys
compared, a sum, a name the document declares elsewhere, an unset variable): those
files are listed in ``SEMANTIC`` with the reason, so a new file the schema misses fails
this test until someone decides which side is wrong. Documents are read with fgc's own
YAML reader, so both sides see the values as written (booleans typed as YAML 1.2 types them).
"""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from fgc.spec.schema import as_editors_read, schema
from fgc.spec.yamlsource import YamlError, parse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fgc import spec

REPO = Path(__file__).resolve().parents[2]
VALIDATOR = jsonschema.Draft202012Validator(schema())

#: Broken files whose problem the schema cannot express, and why.
SEMANTIC = {
    "01-memory-not-fargate-size": "memory depends on cpu",
    "12-vcpu-memory-mismatch": "memory depends on cpu",
    "14-http-needs-port": "one key requires another",
    "15-scaling-min-max": "max compared with min",
    "16-scaling-no-trigger": "one of several keys required",
    "18-vpc-and-existing": "two keys exclusive",
    "19-bad-cidr": "a CIDR's host bits",
    "22-secret-both-sources": "two keys exclusive",
    "23-secret-no-source": "one of several keys required",
    "25-ssm-with-key": "one key excludes another",
    "27-unknown-registry": "a name declared elsewhere",
    "28-duplicate-discovery": "unique across services",
    "29-unset-variable": "the process environment",
    "35-retention-not-allowed": "one of CloudWatch's values",
    "37-capacity-zero": "a sum of two keys",
    "38-requests-without-http": "one key requires another",
    "39-env-clash": "a name in two maps",
    "42-override-op-needs-value": "one key requires another",
    "43-health-timeout-over-interval": "timeout compared with interval",
    "44-bad-cron": "AWS cron's fields",
    "45-same-route": "unique across services",
    "49-existing-public-subnets": "a count that depends on other keys",
    "51-strategy-needs-http": "one key requires another",
    "52-percents-only-rolling": "one key's value excludes others",
    "53-shift-keys-with-rolling": "one key's value excludes others",
    "54-strategy-sub-keys": "one key's value excludes others",
    "56-bake-times": "a duration's unit and range",
    "57-rollout-over-33-hours": "a sum over several keys",
    "58-test-port-production": "a port that depends on the load balancer",
    "59-test-port-shared": "unique across services",
    "60-alarms-need-http": "one key requires another",
    "61-requests-scaling-shifting": "one key's value excludes another",
    "62-test-port-rule-quota": "a count that depends on other keys",
}


def _documents() -> list[Path]:
    return [
        REPO / "fargate.yaml",
        REPO / "fgc" / "starter.yaml",
        *sorted((REPO / "tests" / "golden").glob("*/fargate.yaml")),  # spec-example: SPEC.md's
        *sorted((REPO / "tests" / "spec" / "broken").glob("*.yaml")),
    ]


def _data(text: str) -> object:
    """The document as an editor reads it: fgc's values as written, typed as YAML 1.2 types them."""
    return as_editors_read(parse(text, "fargate.yaml").data)


def validator_accepts(text: str) -> bool:
    """What `fgc validate` says: the document and each of its environments."""
    try:
        names = [None, *spec.environments(text)]
        for name in names:
            spec.loads(text, env=name, environ={})
    except (spec.SpecError, spec.UsageError):
        return False
    return True


def schema_accepts(text: str) -> bool:
    try:
        data = _data(text)
    except YamlError:
        return False
    return VALIDATOR.is_valid(data)


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(REPO)))
def test_schema_and_validator_agree_on_each_file(path: Path) -> None:
    text = path.read_text()
    valid = validator_accepts(text)
    if valid or path.stem not in SEMANTIC:
        assert schema_accepts(text) == valid, f"validator says {'valid' if valid else 'invalid'}"
    else:
        assert schema_accepts(text), f"the schema now refuses {path.name}: remove it from SEMANTIC"


@pytest.mark.parametrize(
    ("fragment", "why"),
    [
        ("services:\n  Api: {image: nginx}\n", "a service name in capitals"),
        ('services:\n  "": {image: nginx}\n', "an empty service name"),
        ("services:\n  api: {image: nginx}\nenvironments:\n  dev: {servicez: {}}\n", "a typo in an overlay"),
        (
            "services:\n  api: {image: nginx}\nenvironments:\n  dev: {services: {api: {cpu: lots}}}\n",
            "overlay",
        ),
        ("services:\n  api: {image: nginx, port: 0x1F}\n", "a YAML 1.1 number form"),
        ("services:\n  api: {image: nginx, exec: on}\n", "a YAML 1.1 boolean form"),
        ("services:\n  api: {image: nginx, discovery: api-, port: 80}\n", "a trailing hyphen"),
        ('tags: {team: ""}\nservices:\n  api: {image: nginx}\n', "an empty tag value"),
        ("tags: {team: 'a,b'}\nservices:\n  api: {image: nginx}\n", "a comma in a tag value"),
    ],
)
def test_both_refuse(fragment: str, why: str) -> None:
    text = "app: demo\n" + fragment
    assert not validator_accepts(text), why
    assert not schema_accepts(text), why


@pytest.mark.parametrize(
    "fragment",
    [
        "tags: {team: 1.10, on: on, n: 0755}\nservices:\n  api: {image: nginx, environment: {A: 1, B: true}}\n",
        "services:\n  api: {image: nginx}\nenvironments:\n  dev: {services: {api: {count: 2, scaling: null}}}\n",
        "services:\n  api: {image: nginx, user: 0700, command: [run, 12:30]}\n",
    ],
)
def test_both_accept(fragment: str) -> None:
    text = "app: demo\n" + fragment
    assert validator_accepts(text) and schema_accepts(text)


REPO_TEXT = (REPO / "fargate.yaml").read_text()
REPO_LINES = REPO_TEXT.splitlines(keepends=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    line=st.integers(0, len(REPO_LINES) - 1),
    value=st.sampled_from(
        ["1.10", "0755", "on", "true", "''", "-1", "99999", "x y", "[]", "{}", "null", "Api"]
    ),
)
def test_what_the_validator_accepts_the_schema_accepts(line: int, value: str) -> None:
    """Each line of the repo file with its value replaced: a valid result is valid for both."""
    head, sep, _ = REPO_LINES[line].partition(": ")
    if not sep:
        return
    text = "".join(REPO_LINES[:line]) + f"{head}: {value}\n" + "".join(REPO_LINES[line + 1 :])
    if validator_accepts(text):
        assert schema_accepts(text)
