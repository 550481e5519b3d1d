"""A local AWS endpoint that deploys fgc's templates the way CloudFormation does.

`start()` runs moto's server in-process on a loopback port, with our CloudFormation engine
(`emulator.cloudformation`) answering CloudFormation calls and our resource models
(`emulator.resources`) for what moto lacks. Heavy imports happen inside `start()`, so importing
this package stays cheap.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .server import EmulatorServer, FrontApp
    from .stand_ins import StandIn


class EmulatorHandle:
    """A running emulator: `.url`, `.port`, `.registry` (its image registry's host), `.stop()`, and
    the fault-injection controls."""

    def __init__(self, server: EmulatorServer, app: FrontApp) -> None:
        self._server = server
        self._app = app
        self.port: int = server.get_host_and_port()[1]
        # nested TemplateURLs resolve only through "localhost", so that is the address we hand out
        self.url = f"http://localhost:{self.port}"
        # the image registry's host: repository URIs are `<registry>/<name>`, pushed to over plain HTTP
        self.registry = f"localhost:{self.port}"

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> EmulatorHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- faults (same effect as POST /_fgc/faults) ----------------------------------------------
    def fail(
        self, target: str, on: str = "create", reason: str | None = None, phase: str = "forward"
    ) -> None:
        """Make a logical resource id (or a resource type) fail on create, update or delete.

        `phase`: "forward" (default), "rollback" (to reach UPDATE_ROLLBACK_FAILED) or "any"."""
        fault: dict[str, Any] = {"kind": "fail", "target": target, "on": on, "phase": phase}
        if reason is not None:
            fault["reason"] = reason
        self.add_fault(fault)

    def throttle(self, operation: str, count: int = 1) -> None:
        """Answer the next `count` calls of `operation` (e.g. DescribeStacks) with Throttling."""
        self.add_fault({"kind": "throttle", "operation": operation, "count": count})

    def hold(self, seconds: float, stack: str | None = None, resource: str | None = None) -> None:
        """Keep operations on `stack` (any root stack if None) in *_IN_PROGRESS for `seconds`;
        with `resource` (logical id or type), wait that long on each step of that resource instead."""
        self.add_fault({"kind": "hold", "seconds": seconds, "stack": stack, "resource": resource})

    def stall_service(
        self, service: str, running: int = 0, rollout: str = "IN_PROGRESS", region: str = "us-east-1"
    ) -> dict[str, Any]:
        """Make the ECS service `service` (name or ARN) fall short of its desired count: only `running`
        tasks run, its PRIMARY deployment is `rollout` (IN_PROGRESS, or FAILED as ECS's circuit breaker
        marks it), stopped tasks leave the target groups. Its next update makes it steady again.
        Same as POST /_fgc/ecs/stall with {"service": ..., "running": 0, "rollout": "IN_PROGRESS"}."""
        return self._app.stall_service(service, running, rollout, region)

    def stand_in_image(self, uri: str) -> None:
        """Declare the image ``uri`` as provided outside fgc: when a task pulls it and its ECR
        repository exists, it is put there first (see `stand_ins`). Same as POST /_fgc/stand-ins
        with {"images": [uri]}."""
        self._app.stand_ins.add_image(uri)

    def stand_in(self, spec: Any, region: str = "us-east-1") -> list[StandIn]:
        """Stand in what ``spec`` (a loaded fargate.yaml) reads from outside fgc and the emulator
        lacks: images, secrets, parameters (see `stand_ins.provide`). What it stood in, to say so."""
        from .server import ACCOUNT_ID
        from .stand_ins import provide

        return provide(spec, ACCOUNT_ID, region, self._app.stand_ins)

    def add_fault(self, fault: dict[str, Any]) -> None:
        from .faults import parse_fault

        self._app.faults.add(parse_fault(fault))

    def clear_faults(self) -> None:
        self._app.faults.clear()

    def faults(self) -> list[dict[str, Any]]:
        return self._app.faults.describe()

    def reset(self) -> None:
        """Wipe all AWS state, stacks and faults (same as POST /_fgc/reset)."""
        self._app.reset()

    def ping(self) -> bool:
        with urllib.request.urlopen(f"{self.url}/_fgc/health", timeout=5) as answer:  # noqa: S310 - loopback
            return bool(json.loads(answer.read())["ok"])


def start(port: int = 0) -> EmulatorHandle:
    """Start an emulator on 127.0.0.1 (`port=0`: a free port) and return its handle."""
    from . import resources  # noqa: F401 - defining the models registers them with moto
    from .cloudformation.state import Registry
    from .faults import Faults
    from .server import EmulatorServer, FrontApp

    resources.register()
    app = FrontApp(Faults(), Registry())
    server = EmulatorServer(app, port)
    server.start()
    threading.Thread(target=_warm_up, name="fgc-emulator-warm-up", daemon=True).start()
    return EmulatorHandle(server, app)


def _warm_up() -> None:
    """Build the EC2 backend now (about a second of moto data loading) rather than inside the
    first deploy's VPC creation; requests arriving meanwhile simply wait for moto's backend lock."""
    from moto.ec2.models import ec2_backends

    from .server import ACCOUNT_ID, DEFAULT_REGION

    ec2_backends[ACCOUNT_ID][DEFAULT_REGION]


__all__ = ["EmulatorHandle", "start"]
