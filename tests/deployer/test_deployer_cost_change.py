"""The monthly cost change under the plans of `fgc diff` and `fgc deploy`, against the emulator."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fgc.compiler import cost
from fgc.deployer.deployed import deployed_stack_set

REGION = "us-east-1"


def test_a_new_stack_adds_everything(cli: Any, spec_file: Path, env: str) -> None:
    code, out, _ = cli("diff", "-f", str(spec_file), "--env", env)
    assert code == 0
    assert "Monthly cost change: +$" in out
    assert "  +$16.43/month: load balancer hours (1 application load balancer; was none)" in out.splitlines()


def test_the_deployed_templates_read_back_cost_what_was_compiled_and_nat_per_az_adds_gateways(
    cli: Any, spec_file: Path, env: str, build: Any, session: Any, tmp_path: Path
) -> None:
    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, out
    templates = build(env)
    deployed = deployed_stack_set(session, templates.stack_name, templates.labels)
    assert deployed is not None and sorted(deployed.names) == sorted(templates.names)
    assert cost.delta(cost.estimate(deployed, REGION), cost.estimate(templates, REGION)) == []

    # the same stack with nat: per_az (an environment overlay of the same name)
    text = spec_file.read_text().replace(f"  {env}: {{}}", f"  {env}: {{network: {{vpc: {{nat: per_az}}}}}}")
    changed = tmp_path / "fargate.yaml"
    changed.write_text(text)
    code, out, _ = cli("diff", "-f", str(changed), "--env", env)
    assert code == 0, out
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Monthly cost change:"))
    assert lines[start].startswith("Monthly cost change: +$75.25/month (us-east-1;")
    assert lines[start + 1 : start + 4] == [
        "  +$65.70/month: NAT gateways (2 NAT gateways x 730 h; was none)",
        "  +$7.30/month: NAT public IPv4 addresses (2 Elastic IPs; was none)",
        "  +$2.25/month: NAT data processed (50 GB; was none)",
    ]


def test_a_stack_that_was_never_deployed_reads_back_as_none(session: Any) -> None:
    assert deployed_stack_set(session, "dtest-never-deployed", {}) is None
