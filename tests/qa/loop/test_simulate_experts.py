"""`manage.py simulate_experts`: simulated experts answer review leases through the review API, from the
demo phantoms' ground truth."""

from io import BytesIO, StringIO

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from qa.models import Frame, Hospital, MaskKind, Review, ReviewLease
from qa.services.ingest import ingest_upload
from qa.services.phantom_truth import phantom_sop_uid, phantom_truth
from qa.services.processing import frame_pixels
from tests.qa.loop.demo_world import demo_world, phantom_of
from workers.ml import synth
from workers.ml.fusqa.labels import quality_label

pytestmark = pytest.mark.django_db


def _mask(mask_row) -> np.ndarray:
    with mask_row.data.open("rb") as handle:
        return np.asarray(Image.open(BytesIO(handle.read()))) > 0


def test_simulated_experts_answer_leases_with_the_verdict_of_the_phantoms_ground_truth():
    studies = demo_world(per_machine=5)
    by_date = {s.exam_date: s for s in studies}
    out = StringIO()

    call_command(
        "simulate_experts", "--hospital", "southbank", "--machine", "Aplio", "--count", "50",
        "--experts", "2", "--correct-share", "0.5", "--seed", "3", stdout=out,
    )  # fmt: skip

    reviews = list(Review.objects.select_related("mask__frame__study", "expert", "lease", "corrected_mask"))
    frames = Frame.objects.count()
    assert frames == 5
    # Every item was read (a double-read item twice, by both experts), each review on its own lease.
    assert frames <= len(reviews) <= 2 * frames
    assert {r.mask.frame_id for r in reviews} == set(Frame.objects.values_list("id", flat=True))
    assert all(r.lease is not None and r.lease.expert_id == r.expert_id for r in reviews)
    assert {r.expert.username for r in reviews} <= {"simulated-expert-1", "simulated-expert-2"}
    assert ReviewLease.objects.filter(state="live").count() == 0
    for review in reviews:
        frame = review.mask.frame
        scan = phantom_of(by_date[frame.study.exam_date])
        screen, bar = synth.exported_screen(scan)
        reference = np.zeros(screen.shape, dtype=bool)
        reference[bar:] = scan.mask
        truth = quality_label(_mask(review.mask), reference, (frame.spacing_row_mm, frame.spacing_col_mm)).label
        assert review.verdict == (truth or "poor"), (frame.study.exam_date, truth)
        if truth is None:
            assert review.corrected_mask is not None
        if review.corrected_mask is not None:
            drawn = _mask(review.corrected_mask)
            assert review.corrected_mask.kind == MaskKind.EXPERT
            assert synth.dice(drawn, reference) > 0.95
    assert f"simulated reviews: {len(reviews)}" in out.getvalue()
    assert any(r.corrected_mask is not None for r in reviews)


def test_the_phantom_truth_finds_the_seed_and_the_drift_of_a_stored_frame():
    studies = demo_world(per_machine=4)

    for frame in Frame.objects.select_related("study"):
        study = next(s for s in studies if s.exam_date == frame.study.exam_date)
        truth = phantom_truth(frame, frame_pixels(frame))
        assert (truth.profile, truth.seed) == (study.profile, study.seed)
        assert truth.drift == phantom_of(study).drift_factor
    assert {phantom_truth(f, frame_pixels(f)).drift for f in Frame.objects.all()} == {0.0, 1.0}


def test_the_phantom_uid_is_the_one_the_dicom_writer_gives():
    scan = synth.generate_scan("hospital_b/epiq_7", 111_002)
    assert synth.scan_to_dataset(scan).SOPInstanceUID == phantom_sop_uid("hospital_b/epiq_7", 111_002)


def test_a_frame_that_is_no_phantom_is_answered_unusable_and_never_given_a_verdict():
    demo_world(per_machine=1)
    hospital = Hospital.objects.get(slug="southbank")
    from qa.models import User

    scan = synth.generate_scan("hospital_b/aplio_i700", 7, study_date=synth.scan.study_date_for(7).replace(year=2025))
    upload = SimpleUploadedFile("other.dcm", synth.scan_to_dicom_bytes(scan), "application/dicom")
    ingest_upload(user=User.objects.get(username="admin"), hospital=hospital, uploaded_file=upload, source="test")
    from qa.models import ProcessingJob
    from qa.services.processing import jobs_process

    jobs_process(job_ids=list(ProcessingJob.objects.values_list("id", flat=True)), worker="test", batch_size=8)

    call_command("simulate_experts", "--hospital", "southbank", "--count", "10", stdout=StringIO())

    other = Frame.objects.exclude(study__exam_date=None).order_by("-id").first()
    verdicts = set(Review.objects.filter(mask__frame=other).values_list("verdict", "comment"))
    assert verdicts == {("unusable", "simulation: no phantom truth for this frame")}


def test_an_unknown_hospital_or_an_ambiguous_machine_is_refused_and_nothing_is_reviewed():
    demo_world(per_machine=1)
    with pytest.raises(CommandError, match="no hospital 'nowhere'"):
        call_command("simulate_experts", "--hospital", "nowhere", stdout=StringIO())
    with pytest.raises(CommandError, match="machines of southbank match"):
        call_command("simulate_experts", "--hospital", "southbank", "--machine", "zzz", stdout=StringIO())
    assert Review.objects.count() == 0
