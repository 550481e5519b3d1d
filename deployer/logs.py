"""``fgc logs``: a service's log group, every stream interleaved in time order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from fgc.compiler.naming import service_template, stack_logical_id
from fgc.deployer.errors import DeployFailed, Recovery
from fgc.deployer.polling import Poll
from fgc.deployer.session import Aws, refusals
from fgc.deployer.stacks import require, resources
from fgc.spec.errors import UsageError


@dataclass(frozen=True)
class LogLine:
    """One log event."""

    timestamp: datetime
    stream: str
    message: str


def log_group(aws: Aws, stack_name: str, service: str, known: Iterable[str]) -> str:
    """The name of ``service``'s log group, read from its nested stack."""
    known = sorted(known)
    if service not in known:
        raise UsageError(f"no service {service!r} in the spec", f"services: {', '.join(known)}")
    with refusals():
        state = require(aws, stack_name)
        nested = stack_logical_id(service_template(service))
        for res in resources(aws, state.stack_id):
            if res.stack == nested and res.resource_type == "AWS::Logs::LogGroup" and res.physical_id:
                return res.physical_id
    raise DeployFailed(f"service {service!r} has no log group in {stack_name}", recovery=Recovery.DEPLOY)


def read(aws: Aws, group: str, since: float, poll: Poll, follow: bool = False) -> Iterator[LogLine]:
    """Events of ``group`` from ``since`` (epoch seconds) on, oldest first; with ``follow``, forever."""
    logs = aws.client("logs")
    start = int(since * 1000)
    seen: set[str] = set()
    poll = poll.fresh()
    while True:
        with refusals():
            pages = logs.get_paginator("filter_log_events").paginate(logGroupName=group, startTime=start)
            batch = [e for page in pages for e in page.get("events", []) if e["eventId"] not in seen]
        batch.sort(key=lambda e: (e["timestamp"], e.get("logStreamName", "")))
        for event in batch:
            seen.add(event["eventId"])
            start = max(start, event["timestamp"])
            yield LogLine(
                datetime.fromtimestamp(event["timestamp"] / 1000, UTC),
                event.get("logStreamName", ""),
                event["message"].rstrip("\n"),
            )
        if not follow:
            return
        poll.sleep()
