"""Questions on a terminal, Ctrl-C while CloudFormation works, a stack that cannot be deleted, rich output."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fgc.deployer.stacks import describe

from fgc import deployer
from fgc.commands._hints import with_hint


def test_terminal_question_decides(cli: Any, spec_file: Path, env: str, session: Any) -> None:
    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env, typed="n\n")
    assert code == 1 and "Not deployed" in out
    state = describe(session, f"dtest-{env}")
    assert state is None  # nothing was created, and the plan's empty REVIEW_IN_PROGRESS stack is gone

    code, out, _ = cli("deploy", "-f", str(spec_file), "--env", env, typed="y\n")
    assert code == 0 and "CREATE_COMPLETE" in out
    assert re.search(r"^Deploy these .* \[y/N\] ", out, re.MULTILINE), out  # the question was asked


def test_ctrl_c_during_execution_says_cloudformation_goes_on(session: Any, build: Any, env: str) -> None:
    templates = build(env)

    def interrupt(event: Any) -> None:
        raise KeyboardInterrupt

    with pytest.raises(deployer.Interrupted, match="CloudFormation goes on") as stopped:
        deployer.deploy(templates, session, on_event=interrupt)
    assert stopped.value.recovery is deployer.Recovery.WATCH and stopped.value.hint is None
    assert "watch it with `fgc status`" in str(with_hint(stopped.value, "deploy"))  # the CLI's words
    deployer.deploy(templates, session)  # waits for the running create, then finds nothing to change
    assert describe(session, templates.stack_name).status == "CREATE_COMPLETE"


def test_delete_failed_is_reported_and_blocks_deploy_until_destroyed(
    cli: Any, spec_file: Path, env: str, faults: Any, session: Any
) -> None:
    args = ("-f", str(spec_file), "--env", env)
    assert cli("deploy", *args, "--yes")[0] == 0
    faults.fail("TargetGroup", on="delete", reason="Injected: target group in use")
    code, _, err = cli("destroy", *args, "--yes")
    assert code == 1
    assert "DELETE_FAILED" in err and "TargetGroup" in err and "Injected: target group in use" in err

    code, _, err = cli("deploy", *args, "--yes")
    assert code == 1 and "could not be deleted (DELETE_FAILED)" in err and "fgc destroy" in err

    faults.clear_faults()
    code, out, err = cli("destroy", *args, "--yes")
    assert code == 0, err
    assert describe(session, f"dtest-{env}") is None


def test_rich_progress_and_plan_render_on_a_terminal(
    cli: Any, spec_file: Path, env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a terminal (FORCE_COLOR is how rich is told it writes to one) plan, progress and outputs
    are drawn by rich."""
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    code, out, err = cli("deploy", "-f", str(spec_file), "--env", env, "--yes")
    assert code == 0, err
    assert "\x1b[" in out  # styled
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out)
    assert "Plan for dtest-" in text and "TaskDefinition" in text
    assert "CREATE_COMPLETE" in text and "WebUrl" in text


def test_destroy_purge_deletes_retained_log_groups(cli: Any, spec_file: Path, env: str, session: Any) -> None:
    from fgc.deployer.logs import log_group

    args = ("-f", str(spec_file), "--env", env)
    assert cli("deploy", *args, "--yes")[0] == 0
    group = log_group(session, f"dtest-{env}", "web", ["web"])
    code, out, err = cli("destroy", *args, "--yes", "--purge")
    assert code == 0, err
    assert f"purged AWS::Logs::LogGroup {group}" in out
    assert session.client("logs").describe_log_groups(logGroupNamePrefix=group)["logGroups"] == []
