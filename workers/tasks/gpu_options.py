"""The options the gpu queue's tasks share: late acknowledgement, and retries for the database going away."""

from django.conf import settings
from django.db import InterfaceError, OperationalError

GPU_TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    # Only transient trouble is retried: the database going away. Model errors fail the job with a reason.
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "max_retries": 8,
    "soft_time_limit": settings.FUSQA_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.FUSQA_TASK_TIME_LIMIT,
}
