"""What an upload creates: machine, study, frames, jobs; and what a re-send does not."""

from datetime import date

import pytest
from pydicom.uid import generate_uid

from qa.models import Frame, JobStatus, Machine, ProcessingJob, Study
from qa.services.ingest import ingest_upload
from tests.factories import HospitalFactory, UserFactory
from tests.qa.ingest.conftest import storage_snapshot
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region


def scan(**kwargs) -> bytes:
    kwargs.setdefault("regions", [ultrasound_region(delta_cm=(0.025, 0.02))])
    return dicom_bytes(dicom_dataset(**kwargs))


def test_it_creates_a_study_a_frame_and_a_pending_job(upload, hospital):
    response = upload(scan(study_date="20260314"), reported_ga_days="84")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["duplicate"] is False
    [frame_body] = body["frames"]
    assert frame_body["spacing_row_mm"] == pytest.approx(0.2)
    assert frame_body["spacing_col_mm"] == pytest.approx(0.25)
    frame = Frame.objects.get(id=frame_body["id"])
    study = Study.objects.get(id=body["study"])
    assert frame.study == study and frame.hospital == hospital
    assert (study.exam_date, study.reported_ga_days) == (date(2026, 3, 14), 84.0)
    assert frame.source == "dicom"
    assert [job.status for job in ProcessingJob.objects.filter(frame=frame)] == [JobStatus.PENDING]


def test_it_makes_one_job_per_frame_of_a_cine(upload):
    response = upload(scan(frames=4))

    ids = [f["id"] for f in response.json()["frames"]]
    assert [f["frame_number"] for f in response.json()["frames"]] == [1, 2, 3, 4]
    assert sorted(ProcessingJob.objects.filter(status="pending").values_list("frame_id", flat=True)) == sorted(ids)
    assert Frame.objects.filter(id__in=ids).values("source_file").distinct().count() == 1


def test_it_names_the_machine_from_the_header_once_per_hospital(upload, hospital):
    upload(scan(manufacturer="Acme Ultrasound", model="Sono 9"))
    upload(scan(manufacturer="Acme Ultrasound", model="Sono 9"))

    [machine] = Machine.objects.all()
    assert (machine.hospital, machine.manufacturer, machine.model_name) == (hospital, "Acme Ultrasound", "Sono 9")
    assert set(Study.objects.values_list("machine", flat=True)) == {machine.id}


def test_instances_of_one_study_land_in_the_same_study(upload):
    study_uid = generate_uid()

    first = upload(scan(study_uid=study_uid))
    second = upload(scan(study_uid=study_uid))

    assert first.json()["study"] == second.json()["study"]
    assert Study.objects.count() == 1
    assert Frame.objects.count() == 2


def test_the_same_study_uid_in_another_hospital_is_another_study(upload):
    other = HospitalFactory()
    admin = UserFactory(role="admin")
    study_uid = generate_uid()

    first = upload(scan(study_uid=study_uid))
    second = upload(scan(study_uid=study_uid), hospital=other.id, user=admin)

    assert second.status_code == 201, second.content
    assert first.json()["study"] != second.json()["study"]


def test_a_resent_file_answers_200_duplicate_and_creates_nothing(upload):
    data = scan(frames=2)
    first = upload(data)
    check = storage_snapshot()

    again = upload(data)

    assert again.status_code == 200, again.content
    assert again.json()["duplicate"] is True
    assert again.json()["study"] == first.json()["study"]
    assert [f["id"] for f in again.json()["frames"]] == [f["id"] for f in first.json()["frames"]]
    check()


def test_the_replacement_uid_is_a_stable_keyed_hash(upload):
    original = generate_uid()
    response = upload(scan(sop_uid=original))

    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    assert frame.sop_instance_uid.startswith("2.25.")
    assert 40 < len(frame.sop_instance_uid) <= 64
    assert original not in frame.sop_instance_uid


def test_an_admin_may_upload_to_any_hospital(upload):
    other = HospitalFactory()

    response = upload(scan(), hospital=other.id, user=UserFactory(role="admin"))

    assert response.status_code == 201, response.content
    assert Frame.objects.get().hospital == other


def test_the_request_date_is_used_when_the_header_has_none(upload):
    response = upload(scan(study_date=""), exam_date="2026-02-01")

    assert Study.objects.get(id=response.json()["study"]).exam_date == date(2026, 2, 1)


def test_a_failure_inside_the_transaction_leaves_no_rows_and_no_files(monkeypatch, manager, hospital, nothing_stored):
    from django.core.files.uploadedfile import SimpleUploadedFile

    def broken(*, frames):
        raise RuntimeError("the job table is on fire")

    monkeypatch.setattr("qa.services.ingest.jobs_create_for_frames", broken)

    with pytest.raises(RuntimeError):
        ingest_upload(user=manager, hospital=hospital, uploaded_file=SimpleUploadedFile("a.dcm", scan(frames=3)))

    nothing_stored()


def test_a_concurrent_resend_that_loses_the_race_answers_duplicate_and_leaves_no_files(monkeypatch, upload):
    import qa.services.ingest as ingest

    data = scan(frames=2)
    first = upload(data)
    check = storage_snapshot()
    real_existing = ingest._existing
    calls = []

    def not_yet_visible(hospital, sop_instance_uid):
        # The first look misses the other request's rows, as it would before that request commits.
        calls.append(sop_instance_uid)
        return None if len(calls) == 1 else real_existing(hospital, sop_instance_uid)

    monkeypatch.setattr(ingest, "_existing", not_yet_visible)

    again = upload(data)

    assert again.status_code == 200, again.content
    assert again.json()["duplicate"] is True
    assert [f["id"] for f in again.json()["frames"]] == [f["id"] for f in first.json()["frames"]]
    assert len(calls) == 2
    check()
