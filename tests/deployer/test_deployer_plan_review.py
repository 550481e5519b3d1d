"""The plan's review (risk, security, traffic, cost) through `fgc diff` and `fgc deploy`, against the
emulator, in text, JSON (checked against the schema in docs/plan-json.md) and markdown."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema

PERMISSION = (
    '    permissions:\n      - {actions: [s3:GetObject], resources: ["arn:aws:s3:::dtest-bucket/*"]}\n'
)
GRANT = "policy app allows s3:GetObject on arn:aws:s3:::dtest-bucket/*"
REPLACED_GROUP = "replaced: a new target group: connections open on the old one are dropped"


def changed(spec_file: Path, tmp_path: Path, edit: Any) -> Path:
    path = tmp_path / "fargate.yaml"
    path.write_text(edit(spec_file.read_text()))
    return path


def with_permission(text: str) -> str:
    return text.replace("    logs: {retention: 7}\n", "    logs: {retention: 7}\n" + PERMISSION)


def diff(cli: Any, path: Path, env: str, output: str) -> str:
    code, out, err = cli("diff", "-f", str(path), "--env", env, "--output", output, "--exit-code")
    assert code == 1, out + err  # changes: exit status as in every format
    return out


def finding(kind: str, logical_id: str, resource_type: str, message: str) -> dict[str, str]:
    """A risk or security entry of the JSON document, on the test spec's service stack."""
    return {
        "kind": kind,
        "stack": "service-web",
        "logical_id": logical_id,
        "resource_type": resource_type,
        "message": message,
    }


def test_a_new_stack_prices_its_cost_change_in_json_and_markdown(
    cli: Any, spec_file: Path, env: str, plan_schema: dict[str, Any]
) -> None:
    document = json.loads(diff(cli, spec_file, env, "json"))
    jsonschema.validate(document, plan_schema)
    assert document["format_version"] == 1 and document["type"] == "CREATE"
    cost = document["cost"]
    assert cost["region"] == "us-east-1" and cost["total"].startswith("+$") and cost["total_usd"] > 0
    balancer = next(c for c in cost["changes"] if c["item"] == "load balancer hours")
    assert (balancer["amount"], balancer["amount_usd"], balancer["was"]) == ("+$16.43", 16.43, "none")
    assert balancer["text"] == "+$16.43/month: load balancer hours (1 application load balancer; was none)"
    [web] = document["traffic"]
    assert (web["service"], web["deployment"], web["strategy"]) == ("web", "first", "ROLLING")
    assert web["text"] == f"web: starts its first ECS deployment (rolling; about {web['minutes']} min)"

    markdown = diff(cli, spec_file, env, "markdown")
    assert markdown.startswith(f"### Plan for `dtest-{env}`\n")
    assert "- +$16.43/month: load balancer hours (1 application load balancer; was none)" in markdown
    # us-east-1 has no citable Container Insights price: the total says it leaves that item out
    assert "- ?/month: Container Insights (1 cluster (enabled); was none)" in markdown
    assert (
        f"Monthly cost change: {cost['total']} (us-east-1; not counting 1 without a price here; `fgc cost` shows"
        in markdown
    )
    # a first deploy's plan is long: its table and its security section are folded
    assert "<details><summary><b>" in markdown and markdown.count("<details>") == markdown.count("</details>")


def test_an_iam_permission_added_shows_in_the_security_section(
    cli: Any, spec_file: Path, env: str, tmp_path: Path, plan_schema: dict[str, Any]
) -> None:
    assert cli("deploy", "-f", str(spec_file), "--env", env, "--yes")[0] == 0
    path = changed(spec_file, tmp_path, with_permission)

    text = diff(cli, path, env, "text")
    security = text.index("Security:\n")
    line = f"  ! service-web TaskRole (AWS::IAM::Role): {GRANT}"
    assert line in text.splitlines() and security < text.index(line) < text.index("+ TaskRole")
    assert "Risks:" in text and "replaced: a new task definition revision" in text
    assert re.search(r"^  web: starts a new ECS deployment \(rolling; about \d+ min\)$", text, re.MULTILINE)
    assert "Monthly cost change: none" in text

    document = json.loads(diff(cli, path, env, "json"))
    jsonschema.validate(document, plan_schema)
    assert finding("iam", "TaskRole", "AWS::IAM::Role", GRANT) in document["security"]
    assert document["traffic"][0]["deployment"] == "new"
    assert document["cost"]["changes"] == [] and document["cost"]["text"] == "Monthly cost change: none"

    markdown = diff(cli, path, env, "markdown")
    grant = markdown.index(f"\n- `service-web` `TaskRole` (AWS::IAM::Role): {GRANT}\n")
    assert markdown.index("**Security**\n\n") < grant < markdown.index("| stack | resource |")


def test_a_target_group_replacement_shows_in_the_risk_section(
    cli: Any, spec_file: Path, env: str, tmp_path: Path, plan_schema: dict[str, Any]
) -> None:
    assert cli("deploy", "-f", str(spec_file), "--env", env, "--yes")[0] == 0
    path = changed(spec_file, tmp_path, lambda text: text.replace("port: 8080", "port: 8081"))

    text = diff(cli, path, env, "text")
    line = f"  ! service-web TargetGroup (AWS::ElasticLoadBalancingV2::TargetGroup): {REPLACED_GROUP}"
    assert line in text.splitlines() and text.index("Risks:\n") < text.index(line)
    # the tasks' security group now lets the load balancer in on the new port
    assert "  ! service-web SecurityGroup (AWS::EC2::SecurityGroup): new ingress: tcp 8081 from" in text

    document = json.loads(diff(cli, path, env, "json"))
    jsonschema.validate(document, plan_schema)
    group = finding("replacement", "TargetGroup", "AWS::ElasticLoadBalancingV2::TargetGroup", REPLACED_GROUP)
    assert group in document["risks"]
    assert document["summary"]["replace"] >= 2  # the target group and the task definition

    markdown = diff(cli, path, env, "markdown")
    assert (
        f"- `service-web` `TargetGroup` (AWS::ElasticLoadBalancingV2::TargetGroup): {REPLACED_GROUP}"
        in markdown
    )
    assert markdown.index("**Risks**") < markdown.index("| stack | resource |")


def test_deploy_json_and_markdown_stdout_hold_only_the_document(
    cli: Any, spec_file: Path, env: str, tmp_path: Path, plan_schema: dict[str, Any]
) -> None:
    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes", "--output", "json")
    assert code == 0, err
    document = json.loads(out)  # the whole of stdout: progress and the text plan went to stderr
    jsonschema.validate(document, plan_schema)
    assert document["result"]["executed"] and document["result"]["status"] == "CREATE_COMPLETE"
    assert "LoadBalancerUrl" in document["result"]["outputs"]
    assert f"Plan for dtest-{env}" in err and "CREATE_COMPLETE" in err

    path = changed(spec_file, tmp_path, with_permission)
    code, out, err = cli("deploy", "-f", str(path), "--env", env, "--yes", "--output", "markdown")
    assert code == 0, err
    assert out.startswith(f"### Plan for `dtest-{env}`\n") and "{" not in out.splitlines()[0]
    assert f"- `service-web` `TaskRole` (AWS::IAM::Role): {GRANT}" in out
    assert out.rstrip().endswith(f"**Result:** `dtest-{env}` UPDATE_COMPLETE")
    assert "Security:" in err  # the text plan a person would confirm

    code, out, _ = cli("deploy", "-f", str(path), "--env", env, "--output", "json")
    assert code == 0
    document = json.loads(out)
    jsonschema.validate(document, plan_schema)
    assert document["empty"] and not document["result"]["executed"] and document["risks"] == []
    assert document["traffic"][0]["text"] == "web: no new deployment"
