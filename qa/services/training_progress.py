"""A running training run's row, kept current: the ML core reports every batch into memory; a thread
writes the latest of it to the row (with the heartbeat and new log lines) every couple of seconds, and
at once after each epoch.

Every write is conditional on the row still being this attempt's running run: when it is not (the
run was cancelled, or the sweeper took it back from a worker it thought dead), the write changes
nothing and the ML core is told to stop before its next batch.
"""

import logging
import threading
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import F, TextField, Value
from django.db.models.functions import Concat, Now
from django.utils import timezone

from qa.models import RunStatus, TrainingRun
from workers.ml.train.finetune import Callbacks

logger = logging.getLogger(__name__)

FIELDS = ("epoch", "loss", "validation_metric", "eta_seconds", "history")


def _interval() -> float:
    return max(0.2, min(2.0, float(settings.FUSQA_HEARTBEAT_SECONDS)))


class RunReporter:
    def __init__(self, *, run_id: int, attempt: int):
        self.run_id, self.attempt = run_id, attempt
        self.lost = False
        self._fields: dict[str, Any] = {}
        self._lines: list[str] = []
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"fusqa-training-run-{run_id}", daemon=True)
        self._thread.start()

    # What the ML core calls

    def progress(self, info: dict[str, Any]) -> None:
        with self._lock:
            for key in FIELDS:
                if key in info and info[key] is not None:
                    self._fields[key] = info[key]
            if "progress" in info:
                self._fields["progress"] = min(1.0, max(0.0, float(info["progress"])))

    def log(self, line: str) -> None:
        with self._lock:
            self._lines.append(f"{timezone.now():%H:%M:%S} {line}\n")

    def should_stop(self) -> bool:
        return self.lost

    def epoch_done(self, epoch: int) -> None:
        self.flush()
        if not self.lost:
            _hold_while_a_test_asks(epoch)

    def callbacks(self) -> Callbacks:
        return Callbacks(progress=self.progress, log=self.log, should_stop=self.should_stop, epoch_done=self.epoch_done)

    # Writing

    def flush(self) -> None:
        with self._writing:
            with self._lock:
                fields, lines = dict(self._fields), self._lines
                self._lines = []
            updates: dict[str, Any] = {"heartbeat_at": Now(), **fields}
            if lines:
                updates["log"] = _appended(lines)
            mine = TrainingRun.objects.filter(pk=self.run_id, status=RunStatus.RUNNING, attempts=self.attempt)
            if not mine.update(**updates):
                self.lost = True
                if lines:  # the log is kept whatever became of the run
                    TrainingRun.objects.filter(pk=self.run_id).update(log=_appended(lines))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self.flush()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(_interval()):
                try:
                    self.flush()
                except Exception:  # noqa: BLE001 - a database hiccup must not end the heartbeat for good
                    logger.warning("progress of training run %s not written", self.run_id, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection


def _appended(lines: list[str]) -> Concat:
    return Concat(F("log"), Value("".join(lines)), output_field=TextField())


def _hold_while_a_test_asks(epoch: int) -> None:
    """Tests only (FUSQA_TEST_HOLD_DIR, never set in a deployment): after the checkpoint of each epoch,
    announce `training-epoch-<n>` and wait for `training-release-<n>`, so a test can kill the worker
    with a checkpoint certainly written and the run certainly unfinished."""
    folder = getattr(settings, "FUSQA_TEST_HOLD_DIR", "")
    if not folder:
        return
    Path(folder, f"training-epoch-{epoch}").touch()
    while not Path(folder, f"training-release-{epoch}").exists():
        threading.Event().wait(0.02)
