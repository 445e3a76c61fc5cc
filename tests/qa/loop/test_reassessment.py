"""After a FUSQA version is activated the recent frames are judged again by it, in batches, with progress."""

import pytest

from qa.models import Assessment, Frame, ProcessingJob, Reassessment, ReassessmentStatus
from qa.services.model_registry import model_version_activate
from qa.services.processing import jobs_process
from qa.services.reassessment import reassessment_progress, reassessment_step
from tests.qa.loop.reassessment_world import age_frames, register_poor_fusqa, upload_frames

pytestmark = pytest.mark.django_db


def _latest(frame_id: int) -> Assessment:
    return Assessment.objects.filter(mask__frame_id=frame_id, mask__kind="model").order_by("-created_at", "-id")[0]


@pytest.fixture
def judged(tmp_path, settings):
    settings.FUSQA_REASSESS_DAYS = 7
    client, frame_ids = upload_frames(tmp_path, count=7)
    jobs_process(job_ids=list(ProcessingJob.objects.values_list("id", flat=True)), worker="test", batch_size=16)
    age_frames(frame_ids[:2], days=10)  # outside the window: they keep their verdict
    assert {_latest(f).label for f in frame_ids} == {"good"}
    return client, frame_ids


def test_activating_a_fusqa_version_re_judges_the_recent_frames_in_batches_with_progress(judged, tmp_path):
    client, frame_ids = judged
    old_version = _latest(frame_ids[0]).model_version

    new_version = register_poor_fusqa(tmp_path, activate=True)

    reassessment = Reassessment.objects.get()
    assert (reassessment.model_version, reassessment.status) == (new_version, ReassessmentStatus.PENDING)
    assert (reassessment.total, reassessment.done) == (5, 0)
    steps = []
    while reassessment_step(reassessment_id=reassessment.pk, batch_size=2):
        steps.append(reassessment_progress(model_version=new_version)["done"])
    assert steps == [2, 4, 5]
    progress = reassessment_progress(model_version=new_version)
    assert progress["status"] == "done" and progress["progress"] == 1.0
    assert (progress["total"], progress["done"], progress["changed"]) == (5, 5, 5)
    recent, old = frame_ids[2:], frame_ids[:2]
    assert {(_latest(f).model_version, _latest(f).label) for f in recent} == {(new_version, "poor")}
    assert {(_latest(f).model_version, _latest(f).label) for f in old} == {(old_version, "good")}
    # The dashboard's frames list says which version judged each frame, and counts the new verdicts.
    rows = client.get("/api/dashboard/frames/", {"from": "2020-01-01"}).json()["results"]
    judged_by = {row["id"]: (row["judged_by"], row["judged_by_version"], row["verdict"]) for row in rows}
    assert judged_by[recent[0]] == (new_version.pk, "t2", "poor")
    assert judged_by[old[0]] == (old_version.pk, old_version.version, "good")
    assert client.get("/api/dashboard/").status_code == 200


def test_a_re_delivered_batch_judges_no_frame_twice(judged, tmp_path):
    _, frame_ids = judged
    new_version = register_poor_fusqa(tmp_path, activate=True)
    reassessment = Reassessment.objects.get()

    reassessment_step(reassessment_id=reassessment.pk, batch_size=3)
    Reassessment.objects.filter(pk=reassessment.pk).update(cursor=0)  # the same batch comes again
    while reassessment_step(reassessment_id=reassessment.pk, batch_size=3):
        pass

    assert Assessment.objects.filter(model_version=new_version).count() == 5


def test_rolling_back_re_judges_with_the_earlier_version_and_supersedes_the_unfinished_one(judged, tmp_path):
    _, frame_ids = judged
    first = _latest(frame_ids[0]).model_version
    new_version = register_poor_fusqa(tmp_path, activate=True)
    reassessment_step(reassessment_id=Reassessment.objects.get().pk, batch_size=2)

    model_version_activate(model_version=first)

    unfinished, rollback = Reassessment.objects.order_by("id")
    assert (unfinished.model_version, unfinished.status) == (new_version, ReassessmentStatus.SUPERSEDED)
    assert reassessment_step(reassessment_id=unfinished.pk) is False
    while reassessment_step(reassessment_id=rollback.pk):
        pass
    rollback.refresh_from_db()
    assert (rollback.model_version, rollback.status, rollback.total, rollback.done) == (first, "done", 5, 5)
    # Back to good: the first version's assessment is the latest again for the two frames it re-judged.
    assert {_latest(f).label for f in frame_ids[2:]} == {"good"}


def test_the_first_registration_re_judges_nothing(tmp_path):
    upload_frames(tmp_path, count=1)
    assert Reassessment.objects.count() == 0
    assert Frame.objects.count() == 1


def test_admins_read_the_re_assessments_progress_and_others_may_not(judged, tmp_path, client_for):
    new_version = register_poor_fusqa(tmp_path, activate=True)
    reassessment_step(reassessment_id=Reassessment.objects.get().pk, batch_size=2)
    from tests.factories import HospitalFactory, UserFactory

    answer = client_for(UserFactory(role="admin")).get("/api/reassessments/", {"model_version": new_version.pk})

    assert answer.status_code == 200
    [row] = answer.json()["results"]
    assert (row["version"], row["kind"], row["status"], row["done"], row["total"]) == ("t2", "fusqa", "running", 2, 5)
    assert row["progress"] == pytest.approx(0.4)
    manager = UserFactory(role="qa_manager", member_of=[HospitalFactory()])
    assert client_for(manager).get("/api/reassessments/").status_code == 403


def test_the_sweeper_queues_again_a_re_assessment_whose_task_was_lost(judged, tmp_path):
    import datetime as dt

    from django.utils import timezone

    from qa.services.reassessment import reassessments_requeue_stale

    register_poor_fusqa(tmp_path, activate=True)
    lost = Reassessment.objects.get()
    reassessment_step(reassessment_id=lost.pk, batch_size=2)
    assert reassessments_requeue_stale(older_than_seconds=60) == []  # it wrote a batch just now

    Reassessment.objects.filter(pk=lost.pk).update(heartbeat_at=timezone.now() - dt.timedelta(seconds=120))

    assert reassessments_requeue_stale(older_than_seconds=60) == [lost.pk]
    assert reassessments_requeue_stale(older_than_seconds=60) == []  # once per silence
    lost.refresh_from_db()
    assert (lost.status, lost.done) == ("running", 2)


def test_activating_a_segmentation_version_runs_the_recent_frames_through_the_pipeline_again(judged, tmp_path):
    from qa.models import Mask, ModelKind
    from qa.services.model_registry import model_version_register
    from tests.pipeline.models import tiny_checkpoints

    _, frame_ids = judged
    segmentation, _ = tiny_checkpoints(tmp_path / "seg2", version="s2")
    new_version = model_version_register(
        kind=ModelKind.SEGMENTATION, version="s2", weights_file=str(segmentation), activate=True
    )
    reassessment = Reassessment.objects.get(model_version=new_version)

    while reassessment_step(reassessment_id=reassessment.pk, batch_size=4):
        pass

    reassessment.refresh_from_db()
    assert (reassessment.status, reassessment.total, reassessment.done) == ("done", 5, 5)
    for frame_id in frame_ids[2:]:
        latest = Mask.objects.filter(frame_id=frame_id, kind="model").order_by("-version")[0]
        assert (latest.model_version, latest.version) == (new_version, 2)
        assert latest.assessments.count() == 1 and latest.measurements.count() == 1
    assert not Mask.objects.filter(frame_id__in=frame_ids[:2], model_version=new_version).exists()
    assert not ProcessingJob.objects.filter(status__in=["pending", "running"]).exists()
