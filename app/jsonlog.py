"""One JSON object per log line, for CloudWatch Logs Insights.

Used by both the Flask app and gunicorn (`logger_class` in gunicorn.conf.py), so the
access log, gunicorn's own messages and the app's messages share one format.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

from gunicorn.glogging import Logger

from app.config import Settings

#: Record attributes copied into the JSON object when a log call passes them in `extra`.
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "remote_addr", "bytes")
_REDACTED = "[redacted]"


class JsonFormatter(logging.Formatter):
    """Formats a record as a JSON line and blanks out secret values.

    Nothing logs a secret on purpose; the redaction is the safety net for a value that
    reaches a message by accident (an exception text, a third-party library).
    """

    def __init__(self, secret_values: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.secret_values = secret_values

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "pid": record.process,
            "message": self._redact(record.getMessage()),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = self._redact(value) if isinstance(value, str) else value
        if record.exc_info:
            entry["error"] = self._redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)

    def _redact(self, text: str) -> str:
        # On the values, not the JSON text: a secret containing a quote cannot break the line.
        for secret in self.secret_values:
            text = text.replace(secret, _REDACTED)
        return text


class HideObjectArguments(logging.Filter):
    """Shows only the class name of a log call's arguments that are not numbers or strings.

    For a third-party logger whose messages interpolate exceptions and connections: their
    text can hold what must not be logged (a database driver's names the host and user).
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                arg if isinstance(arg, str | int | float) else type(arg).__name__ for arg in record.args
            )
        record.exc_info = None
        return True


class GunicornJsonLogger(Logger):
    """gunicorn logger whose error and access logs are JSON lines."""

    def setup(self, cfg) -> None:  # type: ignore[no-untyped-def]
        super().setup(cfg)
        formatter = JsonFormatter(Settings.from_env().secret_values)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

    def access(self, resp, req, environ, request_time) -> None:  # type: ignore[no-untyped-def]
        if not self.cfg.accesslog:
            return
        status = resp.status
        status_code = int(status.split(None, 1)[0]) if isinstance(status, str) else status
        method = environ.get("REQUEST_METHOD")
        path = environ.get("PATH_INFO")  # never the query string: it may carry tokens
        request_id = next((v for k, v in resp.headers if k.lower() == "x-request-id"), None)
        self.access_log.info(
            "%s %s %s",
            method,
            path,
            status_code,
            extra={
                "request_id": request_id,
                "method": method,
                "path": path,
                "status": status_code,
                "duration_ms": round(request_time.total_seconds() * 1000, 3),
                "remote_addr": environ.get("REMOTE_ADDR"),
                "bytes": getattr(resp, "sent", None),
            },
        )
