"""Container health check: exit 0 when GET /health answers 200, else 1.

The slim base image has no curl, so the Dockerfile's HEALTHCHECK runs this with the
image's Python. Standard library only, and run as a script (`python /app/app/healthcheck.py`),
so it starts fast and does not import Flask. Reads the port from $PORT like gunicorn.conf.py.
"""

import os
import sys
import urllib.request


def main() -> int:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8080')}/health"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return 0 if response.status == 200 else 1
    except OSError:  # refused, timed out, or an HTTP error status (HTTPError)
        return 1


if __name__ == "__main__":
    sys.exit(main())
