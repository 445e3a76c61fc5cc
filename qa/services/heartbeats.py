"""Worker heartbeats: every process that runs jobs keeps a row fresh; the sweeper reads it.

A row in the database rather than Celery's own worker heartbeats, because:
- Celery's heartbeats are events on the broker; someone must listen all the time and keep the state
  (flower, `celery events`), and they vanish with the broker. The sweeper only needs one SQL join.
- They come from a worker's main process. In a prefork pool the job is claimed by a pool child, which can
  be killed while the parent keeps beating; the row here belongs to the process that claims.
- They do not exist on the demo's SQLAlchemy transport, and the tests' workers run --without-heartbeat.
"""

import logging
import os
import threading
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models.functions import Now

from qa.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@dataclass
class _ProcessHeartbeat:
    name: str
    pid: int
    stop: threading.Event


_current: _ProcessHeartbeat | None = None
_lock = threading.Lock()


def worker_heartbeat_name(*, hostname: str) -> str:
    """This process's worker name, as written into the jobs it claims. The first call in a process (and
    the first after a fork) records a heartbeat before returning, so no job is ever claimed by a name the
    sweeper cannot see, then starts a thread that refreshes it every FUSQA_HEARTBEAT_SECONDS."""
    global _current
    with _lock:
        pid = os.getpid()
        if _current is None or _current.pid != pid:
            # A fresh token per process start: a restarted worker reusing a pid is a different worker.
            name = f"{hostname}:{pid}:{uuid.uuid4().hex[:8]}"[:200]
            worker_heartbeat_record(name=name, hostname=hostname, pid=pid)
            current = _ProcessHeartbeat(name=name, pid=pid, stop=threading.Event())
            threading.Thread(
                target=_beat_until_stopped, args=(current, hostname), name="fusqa-heartbeat", daemon=True
            ).start()
            _current = current
        return _current.name


def worker_heartbeat_record(*, name: str, hostname: str, pid: int) -> None:
    if not WorkerHeartbeat.objects.filter(name=name).update(beat_at=Now()):
        WorkerHeartbeat.objects.create(name=name, hostname=hostname[:200], pid=pid, started_at=Now(), beat_at=Now())


def _beat_until_stopped(current: _ProcessHeartbeat, hostname: str) -> None:
    while not current.stop.wait(settings.FUSQA_HEARTBEAT_SECONDS):
        try:
            worker_heartbeat_record(name=current.name, hostname=hostname, pid=current.pid)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the heartbeat for good
            logger.warning("heartbeat of %s not recorded", current.name, exc_info=True)
            # This thread's own connection may be broken: the next beat opens a new one.
            connection.close()
