"""The Celery app. Queues and routes come from settings; tasks live in workers.tasks."""

import os

from celery import Celery

# A worker or beat started without DJANGO_SETTINGS_MODULE runs with the production settings (see wsgi.py);
# the demo names the local settings itself.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusqa_web.settings.production")

app = Celery("fusqa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"], related_name="tasks")
