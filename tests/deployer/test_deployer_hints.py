"""The deployer names the way out as a value (``Recovery``); the CLI words it with its commands and flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from fgc.deployer.errors import DeployFailed, Recovery, StackStuck
from fgc.deployer.stacks import StackState, stuck

from fgc.commands._hints import hint, with_hint

REPO = Path(__file__).resolve().parents[2]


def state(status: str) -> StackState:
    return StackState("shop", "arn:aws:cloudformation:us-east-1:1:stack/shop/1", status, "a reason")


@pytest.mark.parametrize(
    ("status", "recovery", "words"),
    [
        (
            "ROLLBACK_COMPLETE",
            Recovery.RECREATE,
            "run `fgc deploy --yes` to delete and re-create it, or `fgc destroy` first",
        ),
        (
            "UPDATE_ROLLBACK_FAILED",
            Recovery.CONTINUE_ROLLBACK,
            "fix what blocked the rollback, then run `fgc deploy --continue-rollback`",
        ),
        (
            "DELETE_FAILED",
            Recovery.DESTROY,
            "remove what blocks the deletion (for example a non-empty bucket), then run `fgc destroy`",
        ),
        (
            "UPDATE_IN_PROGRESS",
            Recovery.WAIT,
            "wait for it (run again without --no-wait), or watch it with `fgc status`",
        ),
    ],
)
def test_a_stuck_stack_carries_its_recovery_and_no_cli_words(
    status: str, recovery: Recovery, words: str
) -> None:
    refusal = stuck(state(status))
    assert isinstance(refusal, StackStuck) and refusal.status == status
    assert (refusal.recovery, refusal.hint) == (recovery, None)
    assert str(with_hint(refusal, "deploy")).endswith(f"\n  hint: {words}")


def test_stacks_that_can_be_planned_are_not_stuck() -> None:
    assert stuck(state("UPDATE_COMPLETE")) is None and stuck(state("REVIEW_IN_PROGRESS")) is None


def test_after_a_failed_operation_the_words_follow_what_just_happened() -> None:
    assert (
        hint(Recovery.RECREATE)
        == "fix the cause; `fgc deploy --yes` then deletes the failed stack and creates it"
    )
    assert (
        hint(Recovery.DESTROY, command="deploy") == "remove what blocks the deletion, then run `fgc destroy`"
    )
    assert hint(Recovery.DESTROY, command="destroy").endswith("run `fgc destroy` again")
    failed = DeployFailed("ECS could not roll out", recovery=Recovery.INSPECT_SERVICE, service="web")
    assert str(with_hint(failed)).endswith("hint: see `fgc status` and `fgc logs web` for why its tasks stop")


def test_every_recovery_has_words() -> None:
    for recovery in Recovery:
        assert hint(recovery, service="web").strip()


def test_a_hint_the_error_brings_is_kept() -> None:
    own = DeployFailed("failed", "the deployer's own advice", recovery=Recovery.REDEPLOY)
    assert with_hint(own).hint == "the deployer's own advice"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["logs", "api", "--since", "soon"], "--since"),
        (["deploy", "--stable-timeout", "soon"], "--stable-timeout"),
    ],
)
def test_a_bad_duration_is_a_usage_error_naming_the_option(
    argv: list[str], option: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from fgc.cli import main

    monkeypatch.setenv("FGC_LINT_WORKERS", "1")  # no warm-up child in the test process
    assert main(["-f", str(REPO / "fargate.yaml"), *argv]) == 2
    assert capsys.readouterr().err.startswith(f"error: {option}: ")
