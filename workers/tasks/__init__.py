"""Celery entry points, one module per kind of work; each task loads a row by id and calls a service."""
