"""The HTTP front: moto's server with our CloudFormation engine and fault control in front of it.

A WSGI layer sees every request first. CloudFormation calls (SigV4 credential scope
`.../cloudformation/aws4_request`) go to our engine; unsigned `/v2/...` calls are the image registry
(`emulator.images`), and ECR's `GetAuthorizationToken` hands out its credentials; `/_fgc/...` is the
test control API; anything else goes to moto's own dispatcher unchanged. Throttling faults apply to
any service's operation.
"""

from __future__ import annotations

import errno
import io
import json
import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from .cloudformation import protocol
from .cloudformation.api import CloudFormationApi
from .cloudformation.engine import Engine
from .cloudformation.errors import CloudFormationError
from .cloudformation.state import Registry
from .faults import FaultError, Faults, parse_fault
from .images import ImageRegistry, is_registry_request
from .resources import deployments_api, ecs, tasks
from .stand_ins import StandIns

log = logging.getLogger(__name__)

ACCOUNT_ID = "123456789012"
DEFAULT_REGION = "us-east-1"
_ECR_TOKEN = "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken"
_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")

StartResponse = Callable[..., Any]


def _reply(start_response: StartResponse, status: int, body: str, content_type: str) -> Iterable[bytes]:
    data = body.encode()
    reason = {200: "OK", 400: "Bad Request", 404: "Not Found", 500: "Internal Server Error"}.get(status, "")
    start_response(f"{status} {reason}", [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


class FrontApp:
    """WSGI app: engine for CloudFormation, control API, fault checks, moto for the rest."""

    def __init__(self, faults: Faults, registry: Registry) -> None:
        self.faults = faults
        self.registry = registry
        self.stand_ins = StandIns()
        tasks.use(faults, self.stand_ins)
        tasks.report_unhealthy_targets()
        ecs.hide_inactive()
        deployments_api.install()
        self.cloudformation = CloudFormationApi(registry, Engine(registry, faults), ACCOUNT_ID)
        self.moto = DomainDispatcherApplication(create_backend_app)
        self.images = ImageRegistry()

    def reset(self) -> None:
        """Wipe every backend, every stack and every fault."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        self.registry.reset()
        self.images.reset()
        self.faults.clear()
        self.stand_ins.clear()

    def stall_service(
        self, service: str, running: int = 0, rollout: str = "IN_PROGRESS", region: str = DEFAULT_REGION
    ) -> dict[str, Any]:
        """Leave an ECS service short of its desired count (see `resources.ecs.stall_service`)."""
        from .resources.ecs import stall_service

        return stall_service(ACCOUNT_ID, region, service, running, rollout)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith("/_fgc/"):
            return self._control(environ, start_response)
        if is_registry_request(environ):
            return self.images.app(environ, start_response)
        if environ.get("PATH_INFO") == "/moto-api/reset" and environ["REQUEST_METHOD"] == "POST":
            self.reset()  # moto's own reset must forget our stacks too
            return _reply(start_response, 200, json.dumps({"status": "ok"}), "application/json")
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        region, service = scope.groups() if scope else (DEFAULT_REGION, "")
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        body = b""
        if service == "cloudformation" or (self.faults.has_throttles() and not target):
            body = _read_body(environ)
        operation = target.rsplit(".", 1)[-1] if target else _form(body).get("Action", "")
        if operation and self.faults.take_throttle(operation):
            return self._throttled(start_response, json_protocol=bool(target))
        if operation and self.faults.denied(operation):
            return self._denied(operation, start_response, json_protocol=bool(target))
        if service == "cloudformation":
            return self._cloudformation(_form(body), region, start_response)
        if target == _ECR_TOKEN:
            answer = json.dumps(self.images.authorization_data(ACCOUNT_ID, region))
            return _reply(start_response, 200, answer, "application/x-amz-json-1.1")
        return self.moto(environ, start_response)

    def _throttled(self, start_response: StartResponse, json_protocol: bool) -> Iterable[bytes]:
        if json_protocol:
            body = json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"})
            return _reply(start_response, 400, body, "application/x-amz-json-1.1")
        return _reply(start_response, 400, protocol.render_error("Throttling", "Rate exceeded"), "text/xml")

    def _denied(self, operation: str, start_response: StartResponse, json_protocol: bool) -> Iterable[bytes]:
        message = f"User: arn:aws:iam::{ACCOUNT_ID}:user/fgc is not authorized to perform: {operation}"
        if json_protocol:
            body = json.dumps({"__type": "AccessDeniedException", "message": message})
            return _reply(start_response, 400, body, "application/x-amz-json-1.1")
        return _reply(start_response, 400, protocol.render_error("AccessDenied", message), "text/xml")

    def _cloudformation(
        self, form: dict[str, str], region: str, start_response: StartResponse
    ) -> Iterable[bytes]:
        action = form.get("Action", "")
        operation = protocol.operation(action)
        handler = self.cloudformation.handler(action)
        if operation is None or handler is None:
            message = f"The action {action} is not valid for this web service (the fgc emulator lacks it)."
            return _reply(start_response, 400, protocol.render_error("InvalidAction", message), "text/xml")
        try:
            result = handler(protocol.parse_params(operation.input_shape, form), region)
        except CloudFormationError as err:
            return _reply(
                start_response, err.status, protocol.render_error(err.code, err.message), "text/xml"
            )
        except Exception as err:  # noqa: BLE001 - answer like AWS, keep the traceback in the log
            log.exception("emulator CloudFormation %s failed", action)
            error = protocol.render_error("InternalFailure", f"{type(err).__name__}: {err}", sender=False)
            return _reply(start_response, 500, error, "text/xml")
        return _reply(start_response, 200, protocol.render_result(operation, result), "text/xml")

    def _control(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        try:
            if path == "/_fgc/health":
                answer: Any = {"ok": True}
            elif path == "/_fgc/reset" and method == "POST":
                self.reset()
                answer = {"ok": True}
            elif path == "/_fgc/faults" and method == "POST":
                data = json.loads(_read_body(environ) or b"{}")
                for item in data if isinstance(data, list) else [data]:
                    self.faults.add(parse_fault(item))
                answer = {"faults": self.faults.describe()}
            elif path == "/_fgc/faults" and method == "DELETE":
                self.faults.clear()
                answer = {"faults": []}
            elif path == "/_fgc/faults" and method == "GET":
                answer = {"faults": self.faults.describe()}
            elif path == "/_fgc/stand-ins" and method == "POST":
                for uri in json.loads(_read_body(environ) or b"{}").get("images") or []:
                    self.stand_ins.add_image(str(uri))
                answer = {"images": self.stand_ins.images()}
            elif path == "/_fgc/ecs/stall" and method == "POST":
                answer = self.stall_service(**json.loads(_read_body(environ) or b"{}"))
            else:
                return _reply(
                    start_response,
                    404,
                    json.dumps({"error": f"no such control {method} {path}"}),
                    "application/json",
                )
        except (FaultError, ValueError, TypeError) as err:
            return _reply(start_response, 400, json.dumps({"error": str(err)}), "application/json")
        return _reply(start_response, 200, json.dumps(answer), "application/json")


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back, so moto can still read it."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _form(body: bytes) -> dict[str, str]:
    try:
        return {k: v[0] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
    except UnicodeDecodeError:
        return {}


class _QuietHandler(MotoRequestHandler):
    """No access log line per request: the emulator serves thousands of polls per deploy."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None

    def log_error(self, *args: Any) -> None:
        """Malformed requests: builders knock with TLS first on the registry's plain-HTTP port."""
        return None


class EmulatorServer(ThreadedMotoServer):
    """moto's threaded server, serving our front app instead of moto's bare dispatcher."""

    def __init__(self, app: FrontApp, port: int = 0) -> None:
        super().__init__(ip_address="127.0.0.1", port=port, verbose=False)
        self.app = app

    def start(self) -> None:
        """Bind in the caller's thread (a busy port raises here), then serve in the background."""
        try:
            self._server = make_server(
                self._ip_address, self._port, self.app, True, request_handler=_QuietHandler
            )
        except SystemExit as err:  # werkzeug reports a busy port by exiting; make it an OSError
            raise OSError(errno.EADDRINUSE, f"port {self._port} is in use by another program") from err
        self._thread = threading.Thread(target=self._server.serve_forever, name="fgc-emulator", daemon=True)
        # repository URIs and the registry's own address: the host nested TemplateURLs use too
        self.app.images.serve_at(f"localhost:{self._server.server_address[1]}")
        self._thread.start()
        self._server_ready_event.set()

    def stop(self) -> None:
        super().stop()
        self.app.images.close()
