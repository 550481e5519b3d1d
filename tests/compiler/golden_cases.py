"""The golden cases (tests/golden/<case>/fargate.yaml) and how to compile them.

Each case compiles once for the base document and once per environment it declares.
Interpolation sees an empty process environment, so ``${IMAGE_TAG:-v1.0.0}`` always
takes its default here.
"""

from __future__ import annotations

from pathlib import Path

from fgc.compiler import StackSet

from fgc import compiler, spec

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
REPO_SPEC = Path(__file__).resolve().parents[2] / "fargate.yaml"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "fargate.yaml").is_file())


def load_case(case: str, env: str | None = None) -> spec.Spec:
    return spec.load(GOLDEN / case / "fargate.yaml", env=env, environ={})


def case_envs(case: str) -> list[str | None]:
    """The base document plus every environment the case declares."""
    return [None, *spec.environments((GOLDEN / case / "fargate.yaml").read_bytes())]


def compile_case(case: str) -> list[StackSet]:
    """Every environment's stack set, then the application's registries stack set (when it has
    registries: one, shared by the environments, compiled from the base document)."""
    stack_sets = [compiler.compile(load_case(case, env)) for env in case_envs(case)]
    registries = compiler.compile_registries(load_case(case))
    return stack_sets + ([registries] if registries else [])
