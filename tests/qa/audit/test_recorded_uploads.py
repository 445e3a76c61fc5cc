"""Every upload is recorded: stored, re-sent or refused, with who, which hospital, and from where."""

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

from qa.models import AuditEvent, Role
from qa.services.ingest import ingest_upload
from tests.factories import UserFactory
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from tests.qa.ingest.images import image_bytes


def scan() -> bytes:
    return dicom_bytes(dicom_dataset(regions=[ultrasound_region()]))


def test_a_stored_upload_is_recorded_with_actor_hospital_source_and_what_was_stored(upload, manager, hospital):
    data = scan()

    response = upload(data, remote_addr="203.0.113.9")

    assert response.status_code == 201, response.content
    body = response.json()
    event = AuditEvent.objects.get()
    frame_ids = [frame["id"] for frame in body["frames"]]
    sop = event.detail["sop_instance_uid"]
    assert sop.startswith("2.25.")  # the keyed hash of the UID, never the UID sent
    assert (event.action, event.actor, event.actor_username, event.hospital, event.source) == (
        "upload.stored",
        manager,
        manager.username,
        hospital,
        "203.0.113.9",
    )
    assert (event.target_type, event.target_id) == ("study", str(body["study"]))
    assert event.detail == {
        "study": body["study"],
        "frames": frame_ids,
        "sop_instance_uid": sop,
        "file_kind": "dicom",
        "size_bytes": len(data),
    }


def test_a_re_send_is_recorded_as_a_duplicate_of_the_same_study(upload, manager):
    data = scan()
    first = upload(data).json()

    second = upload(data, remote_addr="203.0.113.10")

    assert second.status_code == 200
    assert list(AuditEvent.objects.order_by("id").values_list("action", "target_id", "source")) == [
        ("upload.stored", str(first["study"]), "127.0.0.1"),
        ("upload.duplicate", str(first["study"]), "203.0.113.10"),
    ]


def test_a_refused_upload_is_recorded_with_the_reason_and_stores_nothing_else(
    upload, manager, hospital, nothing_stored
):
    response = upload(b"patient,notes\nJane,fine\n" * 20, "jane-doe.csv", spacing_mm="0.3", remote_addr="198.51.100.4")

    assert response.status_code == 400
    nothing_stored()
    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.hospital, event.source, event.target_id) == (
        "upload.refused",
        manager,
        hospital,
        "198.51.100.4",
        "",
    )
    assert event.detail["code"] == "unsupported_file"
    assert event.detail["size_bytes"] == len(b"patient,notes\nJane,fine\n" * 20)
    # The file's name can carry a patient's name: it is not kept.
    assert "jane" not in str(event.detail).lower()


def test_an_upload_by_someone_who_may_not_upload_is_recorded_as_refused(upload, hospital):
    expert = UserFactory(role=Role.EXPERT, member_of=[hospital])

    response = upload(scan(), user=expert)

    assert response.status_code == 403
    assert list(AuditEvent.objects.values_list("action", "actor_username", "detail__code")) == [
        ("upload.refused", expert.username, "forbidden")
    ]


def test_an_upload_from_a_command_names_it_as_the_source(manager, hospital):
    png = SimpleUploadedFile("a.png", image_bytes(np.zeros((32, 32), np.uint8)))

    ingest_upload(user=manager, hospital=hospital, uploaded_file=png, spacing_mm=0.2, source="command:seed_demo")

    assert list(AuditEvent.objects.values_list("action", "source", "detail__file_kind")) == [
        ("upload.stored", "command:seed_demo", "png")
    ]
