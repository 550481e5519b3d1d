"""Where to deploy: one boto3 session, its clients, and AWS refusals turned into one clear line.

The session follows boto3's own rules (profile, ``AWS_*`` variables including
``AWS_ENDPOINT_URL``) with two additions: the spec's ``region`` sits between
``--region`` and the environment, and retries use botocore's *standard* mode with
enough attempts to ride out API throttling during a large deploy.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

import boto3
import botocore.exceptions as bex
from botocore.config import Config
from fgc.compiler.pipeline import region_named
from fgc.deployer import retries
from fgc.deployer.errors import AwsRefused, DeployFailed

#: Attempts per API call (botocore standard mode backs off exponentially, capped at 20 s); a
#: failure of the connection itself is tried fewer times (see ``retries``).
MAX_ATTEMPTS = 10
#: Seconds to wait for a connection, and for an answer, before that try counts as failed.
CONNECT_TIMEOUT = 10
READ_TIMEOUT = 60

CREDENTIAL_CODES = frozenset(
    {
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "InvalidClientTokenId",
        "UnrecognizedClientException",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "AuthFailure",
    }
)
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "Forbidden"}
)
LIMIT_CODES = frozenset(
    {
        "LimitExceeded",
        "LimitExceededException",
        "ServiceQuotaExceededException",
        "Throttling",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
    }
)
#: How CloudFormation says a change set no longer exists (one executed deletes the others).
CHANGE_SET_GONE = frozenset({"ChangeSetNotFound", "ChangeSetNotFoundException"})
CREDENTIALS_HINT = (
    "configure credentials (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
)


@dataclass
class Aws:
    """A configured boto3 session plus the facts the deployer needs about where it points."""

    session: boto3.Session
    region: str
    endpoint_url: str | None = None
    config: Config = field(default_factory=lambda: retry_config())
    #: Told about each retry of a network failure as it happens (the CLI prints it).
    on_retry: retries.OnRetry | None = field(default=None, repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _account: str | None = field(default=None, repr=False)

    def client(self, service: str) -> Any:
        """One client per service, created on first use (clients are thread-safe and costly)."""
        if service not in self._clients:
            client = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoint_url, config=self.config
            )
            retries.watch(client, self._retrying)
            self._clients[service] = client
        return self._clients[service]

    @property
    def account(self) -> str:
        """The caller's account id (one STS call, remembered)."""
        if self._account is None:
            with refusals():
                self._account = self.client("sts").get_caller_identity()["Account"]
        return self._account

    def _retrying(self, message: str) -> None:
        if self.on_retry:
            self.on_retry(message)

    @property
    def is_local(self) -> bool:
        """True when S3 is served by something other than AWS (an emulator).

        Used only where the emulator really behaves differently from AWS, never for
        messages: the artifacts URL (the emulator's nested-stack loader resolves only
        ``localhost`` path-style URLs, not ``<bucket>.s3.<region>.amazonaws.com``) and the
        TLS-only bucket policy (the emulator serves plain HTTP, so a policy denying
        non-TLS requests would lock fgc out of its own bucket).
        """
        host = urlsplit(self.client("s3").meta.endpoint_url).hostname or ""
        return not (host.endswith(".amazonaws.com") or host.endswith(".amazonaws.com.cn"))


def retry_config() -> Config:
    """Standard retry mode: throttling and transient errors are retried with backoff."""
    return Config(
        retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
    )


def connect(
    profile: str | None = None,
    region: str | None = None,
    spec_region: str | None = None,
    endpoint_url: str | None = None,
    credentials: tuple[str, str] | None = None,
) -> Aws:
    """A session for ``profile``; region by the one rule (:func:`compiler.pipeline.region_named`:
    ``region``, the spec, ``AWS_REGION``, ``AWS_DEFAULT_REGION``), then the profile's configuration.

    ``endpoint_url`` (or ``AWS_ENDPOINT_URL``) points every client at an emulator;
    ``credentials`` (access key, secret) are only for such an emulator's fake keys.
    """
    keys = (
        {"aws_access_key_id": credentials[0], "aws_secret_access_key": credentials[1]} if credentials else {}
    )
    try:
        session = boto3.Session(profile_name=profile, **keys)
    except bex.ProfileNotFound as err:  # from --profile, or AWS_PROFILE when there is none
        name = err.kwargs.get("profile") or profile or os.environ.get("AWS_PROFILE")
        raise AwsRefused(
            f"AWS profile {name!r} not found", "check ~/.aws/config, --profile and AWS_PROFILE"
        ) from err
    chosen = region_named(region, spec_region) or session.region_name
    if not chosen:
        raise AwsRefused(
            "no AWS region: set `region` in fargate.yaml, pass --region, or set AWS_REGION",
        )
    endpoint = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    if endpoint is None and chosen not in known_regions(session):
        raise AwsRefused(f"unknown AWS region {chosen!r}", "use a region name such as us-east-1 or eu-west-1")
    return Aws(session=session, region=chosen, endpoint_url=endpoint)


def known_regions(session: boto3.Session) -> set[str]:
    """Every region botocore knows in any partition."""
    return {
        name
        for partition in session.get_available_partitions()
        for name in session.get_available_regions("cloudformation", partition_name=partition)
    }


def translate(err: Exception) -> Exception:
    """The :class:`FgcError` a botocore exception means, or ``err`` itself when it is not one."""
    if isinstance(err, (bex.NoCredentialsError, bex.PartialCredentialsError)):
        return AwsRefused("no AWS credentials found", CREDENTIALS_HINT)
    if isinstance(err, (bex.CredentialRetrievalError, bex.TokenRetrievalError, bex.SSOError)):
        return AwsRefused(f"AWS credentials could not be loaded: {err}", CREDENTIALS_HINT)
    if isinstance(err, bex.NoRegionError):
        return AwsRefused("no AWS region: set `region` in fargate.yaml, pass --region, or set AWS_REGION")
    if isinstance(err, retries.NETWORK_ERRORS):
        return AwsRefused(retries.network_problem(err), _network_hint())
    if isinstance(err, bex.ClientError):
        error = err.response.get("Error", {})
        code, message = error.get("Code", ""), error.get("Message", "") or str(err)
        operation = err.operation_name
        if code in CREDENTIAL_CODES:
            return AwsRefused(f"AWS rejected the credentials ({code}): {message}", CREDENTIALS_HINT)
        if code in DENIED_CODES:
            return AwsRefused(f"access denied for {operation}: {message}", "grant the caller this permission")
        if conflict := _concurrent(code, message, operation):
            return conflict
        if code in LIMIT_CODES:
            return AwsRefused(f"AWS limit reached on {operation} ({code}): {message}")
        return DeployFailed(f"{operation} failed ({code}): {message}")
    return err


def _concurrent(code: str, message: str, operation: str) -> DeployFailed | None:
    """The error for a refusal caused by another operation on the same stack (two deploys at once)."""
    if code in ("ValidationError", "InvalidChangeSetStatus") and "_IN_PROGRESS state" in message:
        return DeployFailed(
            f"{operation} failed: another operation is running on the stack ({message})",
            "another deploy may be running: watch it with `fgc status`, then run `fgc deploy` again",
        )
    if code in CHANGE_SET_GONE:
        return DeployFailed(
            f"{operation} failed: the change set is gone ({message}); another deploy of this stack "
            "is running (executing a change set deletes every other one)",
            "watch it with `fgc status`; run `fgc deploy` again once it has finished",
        )
    return None


def _network_hint() -> str:
    """Where the endpoint came from, so the user knows what to check."""
    if os.environ.get("AWS_ENDPOINT_URL"):
        return "check AWS_ENDPOINT_URL (is the emulator running? `fgc emulator` serves one) and the network"
    return "check the region, the network and any proxy settings"


P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def refusals() -> Iterator[None]:
    """Re-raise botocore failures as :class:`FgcError` subclasses (one clear line each)."""
    try:
        yield
    except (bex.BotoCoreError, bex.ClientError) as err:
        raise translate(err) from err


def aws_call(func: Callable[P, R]) -> Callable[P, R]:
    """Decorator form of :func:`refusals` for the deployer's public entry points."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with refusals():
            return func(*args, **kwargs)

    return wrapper


def error_code(err: bex.ClientError) -> str:
    """The AWS error code of a client error."""
    return err.response.get("Error", {}).get("Code", "")
