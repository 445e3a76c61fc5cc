"""The dashboard's rollups: written with the results, recounted per day, rebuilt from scratch alike."""

import threading
import time
from datetime import date
from io import StringIO

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from qa.models import DailyQuality, Frame, ProcessingJob, Study
from qa.services.ingest import ingest_upload
from qa.services.processing import jobs_process
from qa.services.rollups import quality_rollups_rebuild, quality_rollups_refresh
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.pipeline.models import activate_tiny_models
from tests.qa.dashboard_data import build_dashboard_world, judged_frame

pytestmark = pytest.mark.django_db

FIELDS = ("hospital__slug", "machine__model_name", "day", "good", "poor", "unknown", "ga_good_count", "ga_poor_count")


def rollup_rows() -> list[tuple]:
    rows = DailyQuality.objects.values_list(*FIELDS, "ga_histogram")
    return sorted(
        ((*values, histogram["good"]) for *values, histogram in rows), key=lambda r: (r[0], r[1] or "~", r[2])
    )


def test_recounting_every_frame_s_day_gives_what_a_rebuild_gives():
    build_dashboard_world()
    quality_rollups_refresh(frame_ids=Frame.objects.values_list("id", flat=True))
    refreshed = rollup_rows()

    assert quality_rollups_rebuild(chunk_size=3) == 6
    assert rollup_rows() == refreshed
    bins = {(0, 2): 8, (-4, -2): 6, (-2, 0): 7, (4, 6): 10}
    one_in = {key: [1 if i == index else 0 for i in range(16)] for key, index in bins.items()}
    assert [row[:8] for row in refreshed] == [
        ("alpha", "EPIQ 7", date(2026, 3, 10), 3, 0, 1, 2, 0),
        ("alpha", "Voluson E8", date(2026, 2, 20), 1, 0, 0, 1, 0),
        ("alpha", "Voluson E8", date(2026, 3, 2), 2, 1, 0, 2, 1),
        ("alpha", "Voluson E8", date(2026, 3, 4), 0, 1, 1, 0, 0),
        ("alpha", None, date(2026, 3, 3), 1, 0, 0, 1, 0),
        ("beta", "Voluson E10", date(2026, 3, 2), 1, 0, 0, 1, 0),
    ]
    assert refreshed[4][8] == one_in[(4, 6)]
    assert refreshed[2][8] == [a + b for a, b in zip(one_in[(0, 2)], one_in[(-4, -2)], strict=True)]


def test_a_new_result_rewrites_its_own_day_and_leaves_the_others_alone():
    world = build_dashboard_world()
    quality_rollups_rebuild()
    before = {row.pk: row.updated_at for row in DailyQuality.objects.all()}
    study = Study.objects.get(machine=world.m1, exam_date=date(2026, 3, 2))

    frame = judged_frame(study, "poor", measured_ga=88.0)
    assert quality_rollups_refresh(frame_ids=[frame.id]) == 1

    day = DailyQuality.objects.get(hospital=world.a, machine=world.m1, day=date(2026, 3, 2))
    assert (day.good, day.poor, day.unknown, day.ga_poor_count, day.ga_poor_abs_sum) == (2, 2, 0, 2, 15.0 + 8.0)
    others = DailyQuality.objects.exclude(pk=day.pk)
    assert {row.pk: row.updated_at for row in others} == {
        pk: at for pk, at in before.items() if pk in set(others.values_list("pk", flat=True))
    }
    assert others.count() == len(before) - 1


def test_the_rebuild_command_says_how_many_rows_it_wrote():
    build_dashboard_world()
    out = StringIO()

    call_command("rebuild_rollups", stdout=out)

    assert out.getvalue().strip() == "6 rollup rows written"
    assert DailyQuality.objects.count() == 6


def upload_png(hospital, user, seed: int):
    pixels = np.random.default_rng(seed).integers(0, 255, (60, 80), dtype=np.uint8)
    upload = SimpleUploadedFile(f"scan{seed}.png", png_bytes(pixels), content_type="image/png")
    return ingest_upload(user=user, hospital=hospital, uploaded_file=upload, spacing_mm=(0.3, 0.2)).frames[0]


def test_processing_counts_its_results_and_failures_in_the_same_transaction(tmp_path):
    activate_tiny_models(tmp_path)  # p(good) = sigmoid(3): every mask good
    hospital = HospitalFactory()
    user = UserFactory(role="qa_manager", member_of=[hospital])
    good = [upload_png(hospital, user, seed) for seed in (1, 2)]
    broken = upload_png(hospital, user, 3)
    with open(broken.pixels.path, "wb") as handle:
        handle.write(b"not an image")
    pending = upload_png(hospital, user, 4)
    jobs = ProcessingJob.objects.exclude(frame=pending).order_by("id").values_list("id", flat=True)

    outcome = jobs_process(job_ids=list(jobs), worker="w", batch_size=3)

    assert len(outcome.done) == 2 and len(outcome.failed) == 1
    row = DailyQuality.objects.get(hospital=hospital)
    # PNG uploads carry no exam date: they count on their upload day. The pending frame is not counted.
    assert row.day == timezone.now().date() and row.machine_id is None
    assert (row.good, row.poor, row.unknown) == (2, 0, 1)
    assert (row.good_without_reported_ga, row.ga_good_count) == (2, 0)
    assert {frame.id for frame in good} <= set(
        ProcessingJob.objects.filter(status="done").values_list("frame", flat=True)
    )


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_hospital_s_day_at_once_both_end_up_counted():
    from django.db import connection, transaction

    from qa.models import Assessment, Mask, MaskKind, ModelKind
    from tests.factories import FrameFactory, ModelVersionFactory, StudyFactory

    study = StudyFactory(exam_date=date(2026, 3, 2))
    segmenter, assessor = ModelVersionFactory(), ModelVersionFactory(kind=ModelKind.FUSQA)
    both_written = threading.Barrier(2)
    errors = []

    def write(label: str) -> None:
        try:
            with transaction.atomic():
                frame = FrameFactory(study=study, sop_instance_uid=f"2.25.{label}")
                mask = Mask.objects.create(
                    frame=frame, kind=MaskKind.MODEL, version=1, model_version=segmenter, area_px=1, data="m.png"
                )
                Assessment.objects.create(mask=mask, model_version=assessor, p_good=0.5, label=label)
                # Neither has committed: without the lock each recount would miss the other's frame.
                both_written.wait(timeout=20)
                quality_rollups_refresh(frame_ids=[frame.id])
                time.sleep(0.3)
        except Exception as exc:  # noqa: BLE001 - reported below, in the test's thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(label,)) for label in ("good", "poor")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    row = DailyQuality.objects.get(hospital=study.hospital, day=date(2026, 3, 2))
    assert (row.good, row.poor, row.unknown) == (1, 1, 0)
