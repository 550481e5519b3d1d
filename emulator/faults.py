"""Fault injection: the failures tests need CloudFormation to produce on demand.

One `Faults` registry lives per emulator. Tests drive it in-process (through the handle) or over
HTTP (`POST /_fgc/faults`), so a separate `fgc` process talking to the emulator can be faulted too.
Five kinds, each a JSON object with a `kind`:

* `{"kind": "fail", "target": "ApiService" | "AWS::ECS::Service", "on": "create" | "update" | "delete",
  "reason": "...", "phase": "forward" | "rollback" | "any"}` - the named logical resource (or every
  resource of that type) fails with that reason. By default only in forward operations, so rollbacks
  stay predictable; `"phase": "rollback"` makes the rollback fail instead (`UPDATE_ROLLBACK_FAILED`,
  then `ContinueUpdateRollback`).
* `{"kind": "throttle", "operation": "DescribeStacks", "count": 2}` - the next `count` calls of that
  API operation (any service) answer HTTP 400 `Throttling` / "Rate exceeded".
* `{"kind": "hold", "seconds": 2.0, "stack": "myapp"}` - every stack operation on that stack (any root
  stack when `stack` is omitted) stays `*_IN_PROGRESS` for that long before it starts its work.
  With `"resource": "Service"` (a logical id or a type) the wait happens instead each time that
  resource is worked on, after its `*_IN_PROGRESS` event, so events arrive over time.

* `{"kind": "deny", "operation": "GetSecretValue"}` - every call of that API operation (any
  service) answers HTTP 400 `AccessDeniedException`, as for a caller without that permission.
* `{"kind": "task", "service": "api", "effect": "exit", "exit_code": 1, "logs": ["..."]}` - the
  tasks of ECS services named `service` (any service when omitted) reach RUNNING, then their essential
  container (or `container`) exits with that code after writing `logs` to its log stream; or, with
  `"effect": "unhealthy", "reason": "Target.ResponseCodeMismatch" | "Target.Timeout" |
  "Target.FailedHealthChecks"` (and `"code": "404"` for a mismatch), they fail the load balancer's
  health checks and the scheduler stops them. Either way the deployment circuit breaker counts them
  (see `resources.tasks`).

One more failure acts on state rather than being registered here: `POST /_fgc/ecs/stall` with
`{"service": "<name or ARN>", "running": 0, "rollout": "IN_PROGRESS" | "FAILED"}` leaves an ECS service
short of its desired count (tasks that keep stopping), until its next update; see
`EmulatorHandle.stall_service`.
"""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from typing import Any

DEFAULT_REASON = 'Resource handler returned message: "Injected failure" (HandlerErrorCode: InternalFailure)'
OPERATIONS = ("create", "update", "delete")
PHASES = ("forward", "rollback", "any")


class FaultError(ValueError):
    """A fault description that cannot be understood; answered as HTTP 400."""


@dataclass(frozen=True)
class FailFault:
    target: str
    on: str = "create"
    reason: str = DEFAULT_REASON
    phase: str = "forward"
    kind: str = "fail"


@dataclass
class ThrottleFault:
    operation: str
    count: int = 1
    kind: str = "throttle"


@dataclass(frozen=True)
class HoldFault:
    seconds: float
    stack: str | None = None
    resource: str | None = None
    kind: str = "hold"


@dataclass(frozen=True)
class DenyFault:
    operation: str
    kind: str = "deny"


TASK_EFFECTS = ("exit", "unhealthy")
HEALTH_REASONS = ("Target.FailedHealthChecks", "Target.ResponseCodeMismatch", "Target.Timeout")


@dataclass(frozen=True)
class TaskFault:
    effect: str
    service: str | None = None
    container: str | None = None
    exit_code: int = 1
    logs: list[str] = field(default_factory=list)
    reason: str = "Target.ResponseCodeMismatch"
    code: str = "404"
    kind: str = "task"


Fault = FailFault | ThrottleFault | HoldFault | TaskFault | DenyFault


def parse_fault(data: dict[str, Any]) -> Fault:
    """Build a fault from its JSON description, refusing anything ambiguous."""
    if not isinstance(data, dict):
        raise FaultError("a fault is a JSON object with a 'kind'")
    kind = data.get("kind")
    fields = {k: v for k, v in data.items() if k != "kind"}
    try:
        if kind == "fail":
            fault = FailFault(**fields)
            if fault.on not in OPERATIONS:
                raise FaultError(f"'on' must be one of {', '.join(OPERATIONS)}")
            if fault.phase not in PHASES:
                raise FaultError(f"'phase' must be one of {', '.join(PHASES)}")
            return fault
        if kind == "throttle":
            return ThrottleFault(operation=fields["operation"], count=int(fields.get("count", 1)))
        if kind == "hold":
            return HoldFault(float(fields["seconds"]), fields.get("stack"), fields.get("resource"))
        if kind == "deny":
            return DenyFault(operation=fields["operation"])
        if kind == "task":
            task = TaskFault(**{**fields, "logs": [str(line) for line in fields.get("logs") or []]})
            if task.effect not in TASK_EFFECTS:
                raise FaultError(f"'effect' must be one of {', '.join(TASK_EFFECTS)}")
            if task.reason not in HEALTH_REASONS:
                raise FaultError(f"'reason' must be one of {', '.join(HEALTH_REASONS)}")
            return task
    except (TypeError, KeyError) as err:
        raise FaultError(f"bad {kind} fault: {err}") from err
    raise FaultError("'kind' must be one of fail, throttle, hold, task, deny")


class Faults:
    """Thread-safe registry consulted by the HTTP front and the stack engine."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def describe(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(f) for f in self._faults]

    def resource_failure(self, logical_id: str, resource_type: str, operation: str, phase: str) -> str | None:
        """The injected failure reason for this resource operation in this phase, if any."""
        with self._lock:
            for fault in self._faults:
                if (
                    isinstance(fault, FailFault)
                    and fault.on == operation
                    and fault.phase in (phase, "any")
                    and fault.target in (logical_id, resource_type)
                ):
                    return fault.reason
        return None

    def task_fault(self, service_name: str) -> TaskFault | None:
        """The injected behaviour of this ECS service's tasks, if any."""
        with self._lock:
            return next(
                (
                    f
                    for f in self._faults
                    if isinstance(f, TaskFault) and f.service in (None, "*", service_name)
                ),
                None,
            )

    def has_throttles(self) -> bool:
        """Whether any call may be refused (throttled or denied): the front then reads every body."""
        with self._lock:
            return any(isinstance(f, ThrottleFault | DenyFault) for f in self._faults)

    def denied(self, operation: str) -> bool:
        with self._lock:
            return any(isinstance(f, DenyFault) and f.operation == operation for f in self._faults)

    def take_throttle(self, operation: str) -> bool:
        """True when this call of `operation` must be throttled (consumes one count)."""
        with self._lock:
            for fault in self._faults:
                if isinstance(fault, ThrottleFault) and fault.operation == operation and fault.count > 0:
                    fault.count -= 1
                    if fault.count == 0:
                        self._faults.remove(fault)
                    return True
        return False

    def hold_seconds(self, stack_name: str, is_root: bool) -> float:
        """How long an operation on this stack must stay in progress before working."""
        with self._lock:
            held = [
                f.seconds
                for f in self._faults
                if isinstance(f, HoldFault)
                and f.resource is None
                and (f.stack == stack_name or (f.stack is None and is_root))
            ]
        return max(held, default=0.0)

    def resource_hold_seconds(self, stack_name: str, logical_id: str, resource_type: str) -> float:
        """How long work on this resource waits after its *_IN_PROGRESS event."""
        with self._lock:
            held = [
                f.seconds
                for f in self._faults
                if isinstance(f, HoldFault)
                and f.resource in (logical_id, resource_type)
                and f.stack in (None, stack_name)
            ]
        return max(held, default=0.0)
