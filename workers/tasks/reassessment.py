"""The gpu queue's re-assessment after an activation: one batch per task, then the next batch is queued."""

import socket

from celery import shared_task

from qa.services.heartbeats import worker_heartbeat_name
from qa.services.reassessment import reassessment_enqueue, reassessment_step
from workers.tasks.gpu_options import GPU_TASK_OPTIONS


@shared_task(**GPU_TASK_OPTIONS)
def reassess_batch(self, reassessment_id: int) -> bool:
    # One batch at a time, so frames arriving meanwhile wait behind one batch, not the whole window.
    worker = worker_heartbeat_name(hostname=self.request.hostname or socket.gethostname())
    more = reassessment_step(reassessment_id=reassessment_id, worker=worker)
    if more:
        reassessment_enqueue(reassessment_id=reassessment_id)
    return more
