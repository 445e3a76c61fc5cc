"""Celery entry points, one module per kind of work; each task loads rows by id and calls a service."""

from workers.tasks import dashboard, maintenance, pacs_forward, processing, training

__all__ = ["dashboard", "maintenance", "pacs_forward", "processing", "training"]
