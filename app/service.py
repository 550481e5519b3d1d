"""The sample REST API: health, info and a small item collection.

`create_app` builds it; app/main.py is the WSGI entry point gunicorn imports.
Every response, errors included, is JSON; nothing returns an HTML page or a traceback.
"""

from __future__ import annotations

import json
import logging
import random
import re
import socket
import sys
from datetime import UTC, datetime

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import BadRequest, HTTPException, RequestEntityTooLarge, UnsupportedMediaType

from app.config import Settings
from app.items import MAX_ITEM_ID, StoreUnavailable, open_store
from app.jsonlog import HideObjectArguments, JsonFormatter

MAX_BODY_BYTES = 64 * 1024
MAX_NAME_LENGTH = 200
#: An inbound X-Request-Id is reused only if it looks like an id, never echoed verbatim.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")

log = logging.getLogger("app")
_driver_log = logging.getLogger("psycopg")


class _RequestContextFilter(logging.Filter):
    """Adds the current request's id, method and path to the app's own log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if request:
            record.request_id = g.get("request_id")
            record.method = request.method
            record.path = request.path
        return True


def _configure_logging(settings: Settings) -> None:
    """JSON lines on stdout for the "app" logger; idempotent, the latest settings win.

    The PostgreSQL driver's pool warnings (connection lost, reconnecting) go the same way,
    with the exception and connection objects in their arguments reduced to class names:
    libpq's messages and a connection's repr name the database host and user.
    """
    formatter = JsonFormatter(settings.secret_values)
    loggers = (
        (log, _RequestContextFilter(), logging.INFO),
        (_driver_log, HideObjectArguments(), logging.WARNING),
    )
    for logger, record_filter, level in loggers:
        handler = next(
            (h for h in logger.handlers if isinstance(h, logging.StreamHandler) and hasattr(h, "_app_json")),
            None,
        )
        if handler is None:
            handler = logging.StreamHandler(sys.stdout)
            handler._app_json = True  # type: ignore[attr-defined]
            handler.addFilter(record_filter)
            logger.addHandler(handler)
        handler.stream = sys.stdout  # the current one (pytest's capture replaces it)
        handler.setFormatter(formatter)
        logger.setLevel(level)
        logger.propagate = False


def _error(status: int, message: str) -> Response:
    response = jsonify(error=message, status=status, request_id=g.get("request_id"))
    response.status_code = status
    return response


def _name_from_body() -> str:
    """The validated `name` of a POST body; raises an HTTPException (4xx) otherwise."""
    if not request.is_json:
        raise UnsupportedMediaType("Content-Type must be application/json")
    data = request.get_data(cache=False)  # a Content-Length over MAX_BODY_BYTES: 413
    if request.content_length is None and len(data) >= MAX_BODY_BYTES:
        # A chunked body is cut at the limit without an error (werkzeug cannot tell a body
        # of exactly the limit from a longer one); refuse rather than parse a truncated body.
        raise RequestEntityTooLarge()
    try:
        payload = json.loads(data)
    except ValueError:
        raise BadRequest("request body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise BadRequest("request body must be a JSON object")
    name = payload.get("name")
    if not isinstance(name, str):
        raise BadRequest('"name" is required and must be a string')
    name = name.strip()
    if not name:
        raise BadRequest('"name" must not be empty')
    if len(name) > MAX_NAME_LENGTH:
        raise BadRequest(f'"name" must be at most {MAX_NAME_LENGTH} characters')
    # JSON allows escapes that no database can store: a lone surrogate (\ud800) is not
    # UTF-8, and PostgreSQL's text has no NUL.
    if "\x00" in name or not _is_utf8(name):
        raise BadRequest('"name" must be Unicode text without NUL or unpaired surrogates')
    return name


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _utc_now_naive() -> str:
    """The /health timestamp exactly as the guide's service writes it.

    `datetime.utcnow().isoformat()` there: UTC without an offset, microseconds unless
    zero. Monitors written for that service parse this form.
    """
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    _configure_logging(settings)
    store = open_store(settings)
    hostname = socket.gethostname()

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.extensions["items"] = store

    @app.before_request
    def assign_request_id() -> None:
        # New ids need to be unique, not secret: random.getrandbits, unlike uuid4's os.urandom,
        # makes no system call, so it does not hand the GIL to another thread mid-request.
        inbound = request.headers.get("X-Request-Id", "")
        g.request_id = inbound if _REQUEST_ID.fullmatch(inbound) else f"{random.getrandbits(128):032x}"

    @app.after_request
    def add_request_id(response: Response) -> Response:
        response.headers["X-Request-Id"] = g.get("request_id", "")
        return response

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        response = _error(exc.code or 500, exc.description or exc.name)
        for key, value in exc.get_headers():  # keeps Allow on 405
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    @app.errorhandler(StoreUnavailable)
    def store_unavailable(exc: StoreUnavailable) -> Response:
        log.warning("item database unavailable: %s", exc)
        response = _error(503, "item database unavailable")
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(Exception)
    def unexpected_error(exc: Exception) -> Response:
        log.exception("unhandled error")
        return _error(500, "internal server error")

    @app.get("/health")
    def health() -> Response | tuple[Response, int]:
        # The guide's contract: {"status": "healthy", "timestamp": ...}; 503 while the item
        # database cannot be used, so the load balancer and ECS take the task out.
        try:
            store.ping()
        except StoreUnavailable as exc:
            log.warning("health check: item database unavailable: %s", exc)
            return jsonify(status="unhealthy", timestamp=_utc_now_naive()), 503
        return jsonify(status="healthy", timestamp=_utc_now_naive())

    @app.get("/info")
    def info() -> Response:
        return jsonify(
            hostname=hostname,
            environment=settings.environment,
            version=settings.version,
            region=settings.region,
            timestamp=datetime.now(UTC).isoformat(timespec="milliseconds"),
            secrets_set=settings.secrets_set,
            items_store="postgresql" if settings.database else "sqlite",
        )

    @app.get("/api/items")
    def list_items() -> Response:
        return Response(store.list_json(), mimetype="application/json")

    @app.post("/api/items")
    def create_item() -> tuple[Response, int, dict[str, str]]:
        item = store.add(_name_from_body())
        return jsonify(item.to_dict()), 201, {"Location": f"/api/items/{item.id}"}

    @app.get("/api/items/<int:item_id>")
    def get_item(item_id: int) -> Response:
        item = store.get(item_id) if item_id <= MAX_ITEM_ID else None
        if item is None:
            return _error(404, f"item {item_id} not found")
        return jsonify(item.to_dict())

    return app
