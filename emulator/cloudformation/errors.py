"""Errors the CloudFormation API answers with (HTTP 400, query-protocol error XML)."""

from __future__ import annotations


class CloudFormationError(Exception):
    """An API-level refusal: `code` and message exactly as CloudFormation words them."""

    code = "ValidationError"
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(CloudFormationError):
    code = "ValidationError"


class ChangeSetNotFound(CloudFormationError):
    code = "ChangeSetNotFound"
    status = 404


class AlreadyExists(CloudFormationError):
    code = "AlreadyExistsException"


class InsufficientCapabilities(CloudFormationError):
    code = "InsufficientCapabilitiesException"


class InvalidChangeSetStatus(CloudFormationError):
    code = "InvalidChangeSetStatus"
