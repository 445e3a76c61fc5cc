"""Celery entry points, one module per kind of work; each task loads rows by id and calls a service."""

from workers.tasks import dashboard, maintenance, processing, reassessment

__all__ = ["dashboard", "maintenance", "processing", "reassessment"]
