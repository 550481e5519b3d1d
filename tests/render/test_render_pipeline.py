"""fgc.compiler.pipeline: the one load -> compile -> lint behind render, diff and deploy, and its region rule."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fgc.compiler import lint_cache
from fgc.compiler.lint import INFORMATIONAL_RULES
from fgc.compiler.pipeline import prepare, region_for, region_named

from fgc import deployer

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "fargate.yaml"
BROKEN_OVERRIDE = """
overrides:
  service-api:
    - {op: add, path: /Resources/Broken, value: {Type: "AWS::ECS::Cluster", Properties: {Nope: 1}}}
"""


def test_the_region_rule_is_flag_then_spec_then_environment_then_us_east_1() -> None:
    both = {"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-north-1"}
    assert region_for("us-west-2", "ap-south-1", both) == "us-west-2"
    assert region_for(None, "ap-south-1", both) == "ap-south-1"
    assert region_for(None, None, both) == "eu-west-1"
    assert region_for(None, None, {"AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": ""}) == "eu-north-1"
    assert region_for(None, None, {}) == "us-east-1"
    assert region_named(None, None, {}) is None  # the deployer then asks boto3 (the profile's region)


def test_the_deployer_session_follows_the_same_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    assert deployer.connect().region == region_for(None, None) == "eu-north-1"
    assert deployer.connect(spec_region="ap-south-1").region == region_for(None, "ap-south-1")


def test_prepare_lints_for_the_region_the_rule_picks(
    monkeypatch: pytest.MonkeyPatch, session_cache: Path
) -> None:
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    prepared = prepare(SPEC)
    assert prepared.region == "eu-west-1" and prepared.findings == []
    for name in prepared.templates:
        key = lint_cache.cache_key(prepared.templates.sha256(name), ("eu-west-1",), INFORMATIONAL_RULES)
        assert (session_cache / "lint" / f"{key}.json").is_file()
    assert prepare(SPEC, region="us-west-2", lint=False).findings is None


def test_render_returns_lint_errors_and_the_deployer_refuses_them(tmp_path: Path) -> None:
    broken = tmp_path / "fargate.yaml"
    broken.write_text(SPEC.read_text().replace("build: app/", f"build: {REPO / 'app'}") + BROKEN_OVERRIDE)
    prepared = prepare(broken)
    assert [f.rule for f in prepared.errors] == ["E3002"]
    with pytest.raises(deployer.LintFailed, match="E3002") as refused:
        deployer.build(broken)
    assert refused.value.recovery is deployer.Recovery.READ_TEMPLATES


def test_render_lints_for_an_explicit_region(fgc, tmp_path: Path, session_cache: Path) -> None:
    done = fgc("render", "--region", "ap-southeast-2", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    prepared = prepare(SPEC, lint=False)
    for name in prepared.templates:
        key = lint_cache.cache_key(prepared.templates.sha256(name), ("ap-southeast-2",), INFORMATIONAL_RULES)
        assert (session_cache / "lint" / f"{key}.json").is_file()


def test_the_pipeline_imports_no_boto3(tmp_path: Path) -> None:
    code = (
        "import json, sys\n"
        "from fgc.compiler.pipeline import prepare\n"
        f"prepare({str(SPEC)!r}, lint=False)\n"
        "print(json.dumps(sorted(m for m in ('boto3', 'botocore') if m in sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
