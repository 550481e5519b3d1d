"""Deployer failures, each an :class:`FgcError` whose exit status says who is to blame.

1: the deployment itself failed (a resource, a lint error, a stack left in a state
that needs a decision); 3: AWS refused to talk to us (credentials, permissions,
region, limits), so nothing about the application is known to be wrong.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from fgc.spec.errors import FgcError


class Recovery(Enum):
    """The way out of a failure, as a value: the deployer says which applies, and the CLI turns it
    into a hint naming its own commands and flags (a library caller acts on it as it sees fit)."""

    #: A first create failed and rolled back: the stack must be deleted and created again.
    RECREATE = "recreate"
    #: A rollback failed: remove what blocked it, then continue the rollback.
    CONTINUE_ROLLBACK = "continue_rollback"
    #: An update rolled back to the previous version: fix the cause, deploy again.
    REDEPLOY = "redeploy"
    #: A deletion failed: remove what blocks it, then delete again.
    DESTROY = "destroy"
    #: Another operation is running on the stack: wait for it to finish.
    WAIT = "wait"
    #: Interrupted while CloudFormation works on: it goes on; watch it.
    WATCH = "watch"
    #: The stack set was never deployed.
    DEPLOY = "deploy"
    #: The templates have lint errors: read the rendered templates the findings point into.
    READ_TEMPLATES = "read_templates"
    #: A service's tasks stop (ECS failed its rollout): look at its status and logs.
    INSPECT_SERVICE = "inspect_service"
    #: The services were not stable in time: look at status and logs, or wait longer.
    WAIT_LONGER = "wait_longer"


class DeployFailed(FgcError):
    """CloudFormation (or lint, before it) rejected the change (exit 1).

    ``failure`` is the resource that caused it (when known); ``result`` what the
    deploy did before it failed (a ``DeployResult``), for callers that show both;
    ``recovery`` the way out, when there is one; ``service`` the spec's name of the
    service a recovery concerns (:attr:`Recovery.INSPECT_SERVICE`, :attr:`Recovery.WAIT_LONGER`).
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        failure: Any = None,
        result: Any = None,
        *,
        recovery: Recovery | None = None,
        service: str | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.failure = failure
        self.result = result
        self.recovery = recovery
        self.service = service


class LintFailed(DeployFailed):
    """The compiled templates have lint errors; nothing was sent to AWS (exit 1)."""


class StackStuck(DeployFailed):
    """The stack is in a state that needs a decision first; ``recovery`` is the way out (exit 1)."""

    def __init__(self, message: str, recovery: Recovery, status: str) -> None:
        super().__init__(message, recovery=recovery)
        self.status = status


class AwsRefused(FgcError):
    """AWS refused the request: credentials, permissions, region or limits (exit 3)."""

    exit_code = 3


class Interrupted(FgcError):
    """Ctrl-C: the message says what state things were left in (exit 130, as for any SIGINT).

    ``recovery`` is :attr:`Recovery.WATCH` when CloudFormation goes on without us.
    """

    exit_code = 130

    def __init__(self, message: str, *, recovery: Recovery | None = None) -> None:
        super().__init__(message)
        self.recovery = recovery
