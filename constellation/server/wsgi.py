"""WSGI entry point for production servers (gunicorn)."""

from __future__ import annotations

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "constellation.server.settings")
application = get_wsgi_application()
# What the process holds from here on (modules, URL patterns, templates once loaded) lives as
# long as the process: moved out of the cyclic collector's generations, so its full passes
# walk only what requests allocate (they showed as the slowest requests' pauses).
gc.collect()
gc.freeze()
