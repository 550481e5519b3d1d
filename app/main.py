"""WSGI entry point: from the repository root, `PORT=8080 gunicorn -c app/gunicorn.conf.py app.main:app`.

Building the app opens the item database, so it happens here, on import by a gunicorn
worker, and not when tests import `app.service`. The worker closes the database's
connections when it exits (graceful stop, or gunicorn recycling it).
"""

import atexit

from app.service import create_app

app = create_app()
atexit.register(app.extensions["items"].close)
