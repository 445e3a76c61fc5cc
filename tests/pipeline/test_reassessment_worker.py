"""After an activation a real worker re-judges the recent frames in the background (real Redis, PostgreSQL)."""

import pytest

from qa.models import Assessment, Reassessment
from tests.pipeline.processes import Worker, wait_until
from tests.qa.loop.reassessment_world import all_processed, register_poor_fusqa, upload_frames

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_a_worker_re_judges_the_recent_frames_after_a_fusqa_version_is_activated(broker, tmp_path):
    _, frame_ids = upload_frames(tmp_path, count=5)
    worker = Worker(broker.url, tmp_path / "worker.log", FUSQA_REASSESS_BATCH="2").start()
    try:
        wait_until(all_processed, timeout=60, what="the frames to be judged")

        new_version = register_poor_fusqa(tmp_path, activate=True)

        def finished():
            reassessment = Reassessment.objects.get(model_version=new_version)
            return reassessment if reassessment.status == "done" else None

        reassessment = wait_until(finished, timeout=60, interval=0.2, what="the re-assessment to finish")
    finally:
        worker.stop()
    assert (reassessment.total, reassessment.done, reassessment.changed) == (5, 5, 5)
    for frame_id in frame_ids:
        latest = Assessment.objects.filter(mask__frame_id=frame_id).order_by("-created_at", "-id")[0]
        assert (latest.model_version, latest.label, latest.reassessment) == (new_version, "poor", reassessment)
