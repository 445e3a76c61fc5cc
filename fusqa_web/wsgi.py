"""The WSGI entry point (gunicorn). A server started without DJANGO_SETTINGS_MODULE gets the production
settings, which refuse to start without real secrets: forgetting the variable must never mean debug mode
and a published secret key. The demo and manage.py choose the local settings themselves."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusqa_web.settings.production")
application = get_wsgi_application()
