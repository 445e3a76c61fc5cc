"""The ASGI entry point, for an ASGI server. Production settings unless told otherwise (see wsgi.py)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusqa_web.settings.production")
application = get_asgi_application()
