"""A frame's detail: size, spacing, status, masks, latest assessment and measurement; and its PNG."""

import json

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from qa.models import JobStatus, MaskKind, ModelKind, Role
from qa.quality_math import wilson_interval
from qa.services.model_registry import file_sha256
from tests.factories import (
    AssessmentFactory,
    FrameFactory,
    MaskFactory,
    MeasurementFactory,
    ModelVersionFactory,
    ProcessingJobFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def frame():
    return FrameFactory(width=64, height=48, spacing_row_mm=0.15, spacing_col_mm=0.2, frame_number=1)


@pytest.fixture
def manager(frame):
    return UserFactory(role=Role.QA_MANAGER, member_of=[frame.hospital])


def test_a_frame_reports_its_latest_jobs_status_and_reason(frame, manager, client_for):
    ProcessingJobFactory(frame=frame, status=JobStatus.DONE)
    ProcessingJobFactory(frame=frame, status=JobStatus.FAILED, reason="The image is blank.")

    body = client_for(manager).get(f"/api/frames/{frame.id}/").json()

    assert (body["status"], body["reason"]) == ("failed", "The image is blank.")


def test_a_frame_without_a_job_has_no_status(frame, manager, client_for):
    body = client_for(manager).get(f"/api/frames/{frame.id}/").json()

    assert (body["status"], body["reason"], body["latest_assessment"], body["latest_measurement"]) == (
        None,
        None,
        None,
        None,
    )
    assert body["masks"] == []


def test_a_frame_lists_its_mask_versions_and_its_latest_assessment_and_measurement(frame, manager, client_for):
    segmenter = ModelVersionFactory(kind=ModelKind.SEGMENTATION, version="1.0")
    fusqa = ModelVersionFactory(kind=ModelKind.FUSQA, version="2.0")
    expert = UserFactory(role=Role.EXPERT, member_of=[frame.hospital])
    model_mask = MaskFactory(frame=frame, version=1, model_version=segmenter, area_px=700)
    corrected = MaskFactory(
        frame=frame, version=2, kind=MaskKind.EXPERT, model_version=None, parent=model_mask, created_by=expert
    )
    AssessmentFactory(mask=model_mask, model_version=fusqa, p_good=0.2, label="poor")
    latest = AssessmentFactory(mask=corrected, model_version=fusqa, p_good=0.93, label="good")
    measurement = MeasurementFactory(mask=corrected, crl_mm=45.5, ga_days=81.0, formula="robinson")

    body = client_for(manager).get(f"/api/frames/{frame.id}/").json()

    assert body["id"] == frame.id
    assert body["study"] == frame.study_id
    assert body["hospital"] == {"id": frame.hospital.id, "name": frame.hospital.name, "slug": frame.hospital.slug}
    assert (body["width"], body["height"]) == (64, 48)
    assert (body["spacing_row_mm"], body["spacing_col_mm"], body["spacing_source"]) == (0.15, 0.2, "request")
    assert body["image_url"] == f"/api/frames/{frame.id}/image/"
    assert [(m["id"], m["kind"], m["version"], m["parent"]) for m in body["masks"]] == [
        (model_mask.id, "model", 1, None),
        (corrected.id, "expert", 2, model_mask.id),
    ]
    assert body["masks"][0]["model_version"] == {"id": segmenter.id, "kind": "segmentation", "version": "1.0"}
    assert body["masks"][1]["model_version"] is None
    assert body["masks"][1]["created_by"] == {"id": expert.id, "username": expert.username}
    assert body["masks"][0]["image_url"] == f"/api/masks/{model_mask.id}/image/"
    assert (body["p_good"], body["label"]) == (0.93, "good")
    assert body["latest_assessment"] == {
        "id": latest.id,
        "mask": corrected.id,
        "p_good": 0.93,
        "label": "good",
        "reasons": [],
        "ood_score": None,
        "model_version": {"id": fusqa.id, "kind": "fusqa", "version": "2.0"},
        "created_at": body["latest_assessment"]["created_at"],
        # A model version without a reliability table of its own, and not the shipped weights.
        "reliability": None,
    }
    assert body["dating"] == {"fit": True, "reason": None}
    assert body["latest_measurement"] == {
        "id": measurement.id,
        "mask": corrected.id,
        "crl_mm": 45.5,
        "p1": {"row": 10.0, "col": 12.0},
        "p2": {"row": 30.0, "col": 52.0},
        "ga_days": 81.0,
        "formula": "robinson",
        "in_formula_range": True,
        "created_at": body["latest_measurement"]["created_at"],
    }


def test_a_poor_frames_ga_is_not_fit_for_dating_and_its_p_good_carries_its_reliability(frame, manager, client_for):
    bins = [{"low": 0.0, "high": 0.5, "count": 200, "good_rate": 0.01}, {"low": 0.5, "high": 1.0, "count": 0}]
    fusqa = ModelVersionFactory(kind=ModelKind.FUSQA, metrics={"reliability": bins})
    mask = MaskFactory(frame=frame, version=1)
    AssessmentFactory(mask=mask, model_version=fusqa, p_good=0.03, label="poor")
    MeasurementFactory(mask=mask)

    body = client_for(manager).get(f"/api/frames/{frame.id}/").json()

    assert body["dating"] == {
        "fit": False,
        "reason": "FUSQA judged the mask poor: its CRL, and so this GA, may be wrong.",
    }
    reliability = body["latest_assessment"]["reliability"]
    assert (reliability["p_low"], reliability["p_high"], reliability["count"], reliability["good_rate"]) == (
        0.0,
        0.5,
        200,
        0.01,
    )
    assert reliability["good_rate_low"] == pytest.approx(0.00275, abs=1e-5)
    assert reliability["good_rate_high"] == pytest.approx(0.03572, abs=1e-5)


def test_a_frame_detail_costs_the_same_few_queries_however_many_masks_it_has(
    frame, manager, client_for, django_assert_max_num_queries
):
    for version in range(1, 6):
        mask = MaskFactory(frame=frame, version=version)
        AssessmentFactory(mask=mask)
        MeasurementFactory(mask=mask)
    client = client_for(manager)

    with django_assert_max_num_queries(6):
        assert client.get(f"/api/frames/{frame.id}/").status_code == 200


def test_a_frame_image_streams_the_stored_png(frame, manager, client_for):
    pixels = np.arange(48 * 64, dtype=np.uint32).reshape(48, 64).astype(np.uint8)
    frame.pixels.save("frame.png", ContentFile(png_bytes(pixels)))

    response = client_for(manager).get(f"/api/frames/{frame.id}/image/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == png_bytes(pixels)


def test_an_image_is_served_to_a_client_that_accepts_only_png(frame, manager, client_for):
    response = client_for(manager).get(f"/api/frames/{frame.id}/image/", HTTP_ACCEPT="image/png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"


def test_an_image_of_another_hospital_answers_404_in_json_even_to_an_image_request(frame, client_for):
    outsider = UserFactory(role=Role.QA_MANAGER, member_of=[FrameFactory().hospital])

    response = client_for(outsider).get(f"/api/frames/{frame.id}/image/", HTTP_ACCEPT="image/png")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "not_found"


def test_a_missing_image_file_answers_404_not_500(frame, manager, client_for):
    frame.pixels.storage.delete(frame.pixels.name)

    response = client_for(manager).get(f"/api/frames/{frame.id}/image/")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "The stored image file is missing."


def test_a_mask_image_streams_the_stored_png(frame, manager, client_for):
    mask = MaskFactory(frame=frame)

    response = client_for(manager).get(f"/api/masks/{mask.id}/image/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png_bytes(np.zeros((48, 64), np.uint8))


def test_a_mask_detail_lists_its_assessments_measurements_and_author(frame, manager, client_for):
    expert = UserFactory(username="dr-who", role=Role.EXPERT, member_of=[frame.hospital])
    parent = MaskFactory(frame=frame, version=1)
    mask = MaskFactory(
        frame=frame, version=2, kind=MaskKind.EXPERT, model_version=None, parent=parent, created_by=expert
    )
    assessment = AssessmentFactory(mask=mask)
    measurement = MeasurementFactory(mask=mask)

    body = client_for(manager).get(f"/api/masks/{mask.id}/").json()

    assert (body["id"], body["frame"], body["study"], body["hospital"]) == (
        mask.id,
        frame.id,
        frame.study_id,
        frame.hospital_id,
    )
    assert (body["kind"], body["version"], body["parent"]) == ("expert", 2, parent.id)
    assert body["created_by"] == {"id": expert.id, "username": "dr-who"}
    assert [a["id"] for a in body["assessments"]] == [assessment.id]
    assert [m["id"] for m in body["measurements"]] == [measurement.id]


def test_studies_list_their_frames_with_status_and_quality(frame, manager, client_for):
    second = FrameFactory(study=frame.study, frame_number=2)
    ProcessingJobFactory(frame=frame, status=JobStatus.RUNNING, started_at=timezone.now())
    AssessmentFactory(mask=MaskFactory(frame=second), p_good=0.1, label="poor")

    body = client_for(manager).get(f"/api/studies/{frame.study_id}/").json()

    assert body["frame_count"] == 2
    assert [(f["id"], f["status"], f["p_good"], f["label"]) for f in body["frames"]] == [
        (frame.id, "running", None, None),
        (second.id, None, 0.1, "poor"),
    ]


def test_the_shipped_fusqa_weights_carry_the_reliability_of_their_own_evaluation(frame, manager, client_for, settings):
    shipped = ModelVersionFactory(
        kind=ModelKind.FUSQA, weights_file="fusqa.pt", sha256=file_sha256(settings.FUSQA_WEIGHTS_DIR / "fusqa.pt")
    )
    other = ModelVersionFactory(kind=ModelKind.FUSQA, weights_file="fusqa.pt", sha256="f" * 64)
    AssessmentFactory(mask=MaskFactory(frame=frame, version=1), model_version=other, p_good=0.998)
    client = client_for(manager)

    assert client.get(f"/api/frames/{frame.id}/").json()["latest_assessment"]["reliability"] is None

    AssessmentFactory(mask=MaskFactory(frame=frame, version=2), model_version=shipped, p_good=0.998)
    reliability = client.get(f"/api/frames/{frame.id}/").json()["latest_assessment"]["reliability"]

    # The top bin of workers/weights/fusqa_evaluation.json: the unseen hospital's test masks scored 0.9-1.0.
    top = json.loads((settings.FUSQA_WEIGHTS_DIR / "fusqa_evaluation.json").read_text())["reliability"][-1]
    good = round(top["good_rate"] * top["count"])
    assert (reliability["p_low"], reliability["p_high"], reliability["count"]) == (0.9, 1.0, top["count"])
    assert reliability["good_rate"] == pytest.approx(good / top["count"])
    assert reliability["good_rate_low"] == pytest.approx(wilson_interval(good, top["count"]).low, abs=1e-5)
