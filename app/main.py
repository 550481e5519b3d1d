"""WSGI entry point: from the repository root, `PORT=8080 gunicorn -c app/gunicorn.conf.py app.main:app`.

Building the app opens the item database, so it happens here, on import by a gunicorn
worker, and not when tests import `app.service`.
"""

from app.service import create_app

app = create_app()
