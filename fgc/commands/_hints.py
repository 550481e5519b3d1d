"""The hint under an error: the deployer says which way out applies (a :class:`Recovery`), and
this turns it into words naming fgc's own commands and flags, which the deployer does not know."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fgc.deployer.errors import Recovery
    from fgc.spec.errors import FgcError


def with_hint(err: FgcError, command: str | None = None) -> FgcError:
    """``err`` with its hint filled in from its ``recovery`` (a hint it already has is kept).

    ``command`` is the sub-command that failed: a destroy that failed is run "again".
    """
    recovery = getattr(err, "recovery", None)
    if recovery is not None and err.hint is None:
        err.hint = hint(
            recovery, stuck=_is_stuck(err), command=command, service=getattr(err, "service", None)
        )
    return err


def hint(
    recovery: Recovery, *, stuck: bool = False, command: str | None = None, service: str | None = None
) -> str:
    """The words for ``recovery``: ``stuck`` when the stack was found so before anything ran
    (rather than left so by the operation that just failed); ``service`` as ``fgc logs`` takes it."""
    from fgc.deployer.errors import Recovery

    resume = "`fgc deploy --continue-rollback`"
    if recovery is Recovery.RECREATE and stuck:
        return "run `fgc deploy --yes` to delete and re-create it, or `fgc destroy` first"
    if recovery is Recovery.DESTROY and stuck:
        return "remove what blocks the deletion (for example a non-empty bucket), then run `fgc destroy`"
    again = " again" if command == "destroy" else ""
    words = {
        Recovery.RECREATE: "fix the cause; `fgc deploy --yes` then deletes the failed stack and creates it",
        Recovery.CONTINUE_ROLLBACK: f"fix what blocked the rollback, then run {resume}",
        Recovery.REDEPLOY: "the stack is back at its previous version; fix the cause, deploy again",
        Recovery.DESTROY: f"remove what blocks the deletion, then run `fgc destroy`{again}",
        Recovery.WAIT: "wait for it (run again without --no-wait), or watch it with `fgc status`",
        Recovery.WATCH: "watch it with `fgc status`; a new `fgc deploy` waits for it to finish",
        Recovery.DEPLOY: "deploy it with `fgc deploy`",
        Recovery.READ_TEMPLATES: "see `fgc render` for the templates these lines refer to",
        Recovery.INSPECT_SERVICE: f"see `fgc status` and `fgc logs {service}` for why its tasks stop",
        Recovery.WAIT_LONGER: (
            f"CloudFormation finished; see `fgc status` and `fgc logs {service}` for why "
            "tasks do not start, or wait longer with --stable-timeout"
        ),
    }
    return words[recovery]


def _is_stuck(err: FgcError) -> bool:
    from fgc.deployer.errors import StackStuck

    return isinstance(err, StackStuck)
