"""Network failures fail fast, and say so as they happen; throttling keeps its long retries.

botocore's standard retry mode tries a transient failure up to ``MAX_ATTEMPTS`` times,
backing off up to 20 s between tries: right for API throttling during a large deploy,
but against an endpoint that refuses the connection, closes it, or sends half an
answer, it is a minute of silence before an error. Each client therefore gets one more
``needs-retry`` handler (botocore's documented event hook): a network failure is tried
``NETWORK_ATTEMPTS`` times in all, each retry is reported through ``on_retry`` as it
happens, and the last failure is raised at once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import botocore.exceptions as bex

#: Tries of one call that fails in the network (refused, closed, cut short, timed out).
NETWORK_ATTEMPTS = 3
#: Failures of the connection itself, as botocore raises them (not AWS's answers).
NETWORK_ERRORS = (bex.ConnectionError, bex.HTTPClientError)

OnRetry = Callable[[str], None]


def watch(client: Any, on_retry: OnRetry) -> None:
    """Cap ``client``'s retries of network failures, reporting each retry to ``on_retry``."""

    def needs_retry(attempts: int, caught_exception: Exception | None = None, **kwargs: Any) -> None:
        if not isinstance(caught_exception, NETWORK_ERRORS):
            return  # AWS answered: botocore's standard mode decides
        if attempts >= NETWORK_ATTEMPTS:
            raise caught_exception
        operation = getattr(kwargs.get("operation"), "name", "the call")
        problem = network_problem(caught_exception)
        on_retry(f"{problem} ({operation}); trying again, {attempts + 1} of {NETWORK_ATTEMPTS}")

    client.meta.events.register_first("needs-retry", needs_retry)
    client.meta.events.register_first("before-parse", _refuse_cut_short(client.meta.endpoint_url))


def _refuse_cut_short(endpoint_url: str) -> Callable[..., None]:
    """A ``before-parse`` handler: an answer shorter than its Content-Length was cut short.

    botocore reads bodies without enforcing Content-Length, so a connection closed halfway
    through an answer reaches its parser as half a document ("unable to parse response").
    That is the connection's failure, not AWS's answer: say so, at once (botocore does not
    retry a failure raised after the answer arrived)."""

    def before_parse(response_dict: dict[str, Any], **_: Any) -> None:
        declared = response_dict.get("headers", {}).get("content-length", "")
        body = response_dict.get("body")
        # an empty body is a HEAD's answer (its Content-Length is the object's), never cut short
        if declared.isdigit() and isinstance(body, bytes) and 0 < len(body) < int(declared):
            raise bex.ConnectionClosedError(endpoint_url=f"{endpoint_url.rstrip('/')}/")

    return before_parse


def network_problem(err: Exception) -> str:
    """What went wrong between fgc and the endpoint, in one phrase naming the endpoint."""
    kwargs = getattr(err, "kwargs", {})
    url = kwargs.get("endpoint_url") or kwargs.get("proxy_url") or "the AWS endpoint"
    if isinstance(err, bex.ConnectionClosedError):
        return f"{url} closed the connection before a complete answer"
    if isinstance(err, bex.ReadTimeoutError):
        return f"{url} did not answer in time"
    if isinstance(err, bex.ConnectTimeoutError):
        return f"cannot connect to {url}: no answer in time"
    if isinstance(err, bex.ProxyConnectionError):
        return f"cannot connect to the proxy {url}"
    if isinstance(err, bex.EndpointConnectionError):
        cause = re.search(r"\[Errno -?\d+\] ([^'\"]+)", str(kwargs.get("error", "")))
        return f"cannot connect to {url}" + (f": {cause.group(1).lower()}" if cause else "")
    return f"the connection to {url} failed: {err}"
