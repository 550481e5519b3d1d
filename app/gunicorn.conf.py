"""gunicorn settings for the sample app, all from the environment.

Run from the repository root (or /app in the image): gunicorn -c app/gunicorn.conf.py app.main:app
"""

import os

# gunicorn puts its working directory on sys.path before it reads this file.
from app.config import ConfigError, int_setting


def _int_env(name: str, default: int, maximum: int | None = None) -> int:
    try:
        return int_setting(name, os.environ.get(name, ""), default, maximum=maximum)
    except ConfigError as exc:
        raise SystemExit(str(exc)) from None


bind = f"0.0.0.0:{_int_env('PORT', 8080, maximum=65535)}"
workers = _int_env("WEB_CONCURRENCY", 2)
threads = _int_env("GUNICORN_THREADS", 4)
worker_class = "gthread"

# A worker silent for this long is killed and replaced.
timeout = 30
# ECS sends SIGTERM and then SIGKILL after the container's stop timeout (30 s by default):
# finish in-flight requests well inside it.
graceful_timeout = 20
# Longer than the load balancer's idle timeout (60 s), so the load balancer closes idle
# connections first and never sends a request on one gunicorn is closing (a 502).
keepalive = 75

# The worker heartbeat file lives in memory: no disk I/O, and it works with a read-only
# root file system. Fall back to the temp directory where /dev/shm is missing.
if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK):
    worker_tmp_dir = "/dev/shm"

# The runtime control socket (gunicornc) is not used in a container, would need a writable
# home directory, and would collide between several servers on one host (tests, benchmarks).
control_socket_disable = True

# JSON lines: the access log on stdout, gunicorn's own messages on stderr.
logger_class = "app.jsonlog.GunicornJsonLogger"
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info")
