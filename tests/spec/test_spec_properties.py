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
