"""What one received C-STORE becomes: the status, and the Error Comment a refusal carries."""

import pytest
from django.test import override_settings
from pydicom.dataset import Dataset

from qa.models import AuditAction, AuditEvent
from qa.services import dicom_network
from qa.services.dicom_network import calling_ae_set, dicom_store_received
from tests.factories import HospitalFactory
from tests.qa.ingest.conftest import storage_snapshot
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

pytestmark = pytest.mark.django_db


@pytest.fixture
def calling_ae():
    return calling_ae_set(hospital=HospitalFactory(), ae_title="SCANNER1")


def receive(calling_ae, dataset: Dataset):
    return dicom_store_received(calling_ae=calling_ae, address="10.0.0.7", read_file=lambda: dicom_bytes(dataset))


def test_a_stored_file_and_its_resend_are_both_a_success(calling_ae):
    dataset = dicom_dataset(regions=[ultrasound_region()])

    first, again = receive(calling_ae, dataset), receive(calling_ae, dataset)

    assert (first.status, first.duplicate) == (0x0000, False)
    assert (again.status, again.duplicate) == (0x0000, True)
    assert AuditEvent.objects.get(action=AuditAction.UPLOAD_DUPLICATE).source == "dicom:SCANNER1@10.0.0.7"


def test_a_file_without_spacing_is_refused_with_the_reason(calling_ae):
    nothing_stored = storage_snapshot()

    outcome = receive(calling_ae, dicom_dataset())

    assert outcome.status == 0xA900
    assert "spacing" in outcome.comment.lower()
    assert len(outcome.comment) <= 64
    nothing_stored()


@override_settings(FUSQA_MAX_UPLOAD_BYTES=1000)
def test_a_file_over_the_upload_limit_is_out_of_resources(calling_ae):
    outcome = receive(calling_ae, dicom_dataset(regions=[ultrasound_region()]))

    assert outcome.status == 0xA700
    assert "bytes" in outcome.comment


def test_a_dataset_that_cannot_be_read_cannot_be_understood(calling_ae):
    def unreadable():
        raise ValueError("Deferred read: element length exceeds the data")

    nothing_stored = storage_snapshot()
    outcome = dicom_store_received(calling_ae=calling_ae, address="10.0.0.7", read_file=unreadable)

    assert outcome.status == 0xC000
    assert outcome.comment.startswith("The dataset cannot be read: Deferred read")
    nothing_stored()


def test_an_unexpected_failure_is_a_processing_failure_without_details(calling_ae, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(dicom_network, "ingest_upload", broken)

    outcome = receive(calling_ae, dicom_dataset(regions=[ultrasound_region()]))

    assert outcome.status == 0xC001
    assert "disk" not in outcome.comment
