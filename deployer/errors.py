"""Deployer failures, each an :class:`FgcError` whose exit status says who is to blame.

1: the deployment itself failed (a resource, a lint error, a stack left in a state
that needs a decision); 3: AWS refused to talk to us (credentials, permissions,
region, limits), so nothing about the application is known to be wrong.
"""

from __future__ import annotations

from typing import Any

from fgc.spec.errors import FgcError


class DeployFailed(FgcError):
    """CloudFormation (or lint, before it) rejected the change (exit 1).

    ``failure`` is the resource that caused it (when known); ``result`` what the
    deploy did before it failed (a ``DeployResult``), for callers that show both.
    """

    exit_code = 1

    def __init__(
        self, message: str, hint: str | None = None, failure: Any = None, result: Any = None
    ) -> None:
        super().__init__(message, hint)
        self.failure = failure
        self.result = result


class LintFailed(DeployFailed):
    """The compiled templates have lint errors; nothing was sent to AWS (exit 1)."""


class StackStuck(DeployFailed):
    """The stack is in a state that needs a decision first; the hint names the way out (exit 1)."""

    def __init__(self, message: str, hint: str, status: str) -> None:
        super().__init__(message, hint)
        self.status = status


class AwsRefused(FgcError):
    """AWS refused the request: credentials, permissions, region or limits (exit 3)."""

    exit_code = 3


class Interrupted(FgcError):
    """Ctrl-C: the message says what state things were left in (exit 130, as for any SIGINT)."""

    exit_code = 130
