"""The Celery app. Queues and routes come from settings; tasks live in workers.tasks."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fusqa_web.settings.local")

app = Celery("fusqa")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workers"], related_name="tasks")
