"""Property-based: whatever the input, loading raises nothing but SpecError/UsageError."""

from __future__ import annotations

from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fgc import spec

REPO_YAML = (Path(__file__).resolve().parents[2] / "fargate.yaml").read_text()
REPO_DATA = yaml.safe_load(REPO_YAML)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["30s", "5m", "0.5 vCPU", "1 GB", "${X}", "${X:-1}", "$$", "/health"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


def _expect_only_spec_errors(load) -> None:
    try:
        load()
    except (spec.SpecError, spec.UsageError) as err:
        assert str(err)
        for problem in getattr(err, "problems", []):
            assert problem.line >= 1 and problem.column >= 1


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


PATHS = [p for p in _paths(REPO_DATA) if p]


def _replace(data, path, value):
    if not path:
        return value
    head, *rest = path
    copy = list(data) if isinstance(data, list) else dict(data)
    copy[head] = _replace(data[head], rest, value)
    return copy


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=values)
def test_mutating_any_value_of_the_repo_file(path, value):
    mutated = _replace(REPO_DATA, path, value)
    text = yaml.safe_dump(mutated, sort_keys=False)
    _expect_only_spec_errors(lambda: spec.loads(text, environ={}))
    _expect_only_spec_errors(lambda: spec.loads(text, env="dev", environ={}))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(blob):
    _expect_only_spec_errors(lambda: spec.loads(blob, environ={}))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=400))
def test_random_text(text):
    _expect_only_spec_errors(lambda: spec.loads(text, environ={}))


@settings(max_examples=100, deadline=None)
@given(cut=st.integers(0, len(REPO_YAML)), junk=st.text(max_size=5))
def test_truncated_and_spliced_repo_file(cut, junk):
    _expect_only_spec_errors(lambda: spec.loads(REPO_YAML[:cut] + junk + REPO_YAML[cut:], environ={}))


@settings(max_examples=100, deadline=None)
@given(document=st.dictionaries(st.sampled_from(list(REPO_DATA) + ["extra"]), values, max_size=6))
def test_random_documents(document):
    text = yaml.safe_dump(document)
    _expect_only_spec_errors(lambda: spec.loads(text, environ={}))


REPO_LINES = REPO_YAML.splitlines(keepends=True)
#: What issue 12's fuzzing found crashing or changing values: deep nesting, integers past
#: Python's 4,300-digit conversion limit, and the forms YAML 1.1 types (1.10, 0755, 12:30, on).
hostile = st.one_of(
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "{a: " * n + "1" + "}" * n),
    st.integers(4000, 6000).map(lambda n: "9" * n),
    st.integers(4000, 6000).map(lambda n: "0x" + "f" * n),
    st.sampled_from(["1.10", "0755", "12:30", "190:20:30", "on", "No", "0x1F", "0b101", "1.0e+3", "1_000"]),
    st.sampled_from([".nan", "-.inf", "+5", "2001-12-14", "~", "!!binary aGk=", "\x07", "\u2028x", "\r"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=st.integers(0, len(REPO_LINES) - 1), value=hostile)
def test_hostile_values_in_any_line_of_the_repo_file(line, value):
    """Each value of the repo file replaced by a hostile form, as raw text: a problem, never a crash."""
    head, sep, _ = REPO_LINES[line].partition(": ")
    if not sep:
        return
    text = "".join(REPO_LINES[:line]) + f"{head}: {value}\n" + "".join(REPO_LINES[line + 1 :])
    _expect_only_spec_errors(lambda: spec.loads(text, environ={}))
    _expect_only_spec_errors(lambda: spec.loads(text, env="prod", environ={}))


@settings(max_examples=100, deadline=None)
@given(
    value=st.sampled_from(["1.10", "0755", "12:30", "on", "no", "0x1F", "1.0e+3", "True", "0700", "1_000"])
)
def test_yaml_1_1_forms_stay_text_in_environment_and_tags(value):
    text = (
        f"app: demo\ntags: {{v: {value}}}\nservices:\n  api: {{image: nginx, environment: {{V: {value}}}}}\n"
    )
    app = spec.loads(text, environ={})
    assert app.tags["v"] == value and app.services["api"].environment["V"] == value
