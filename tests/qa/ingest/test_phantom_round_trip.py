"""Phantom DICOMs travel through the product's own upload API with their spacing and machine intact."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qa.models import Frame
from tests.factories import HospitalFactory, UserFactory
from workers.ml import synth

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("profile", synth.list_profiles())
def test_a_phantom_dicom_uploads_with_its_spacing_and_machine(client_for, profile):
    hospital = HospitalFactory()
    client = client_for(UserFactory(role="qa_manager", member_of=[hospital]))
    # The generator spreads its dates over 2026, some of them ahead of today; a future exam date is refused.
    scan = synth.generate_scan(profile, seed=3, study_date=dt.date(2026, 3, 2))
    upload = SimpleUploadedFile("phantom.dcm", synth.scan_to_dicom_bytes(scan), content_type="application/dicom")

    response = client.post("/api/uploads/", {"file": upload, "hospital": hospital.id}, format="multipart")

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    # The exported screen: the scan below the machine's header bar of patient and exam text.
    assert (frame.height, frame.width) == synth.exported_screen(scan)[0].shape
    assert frame.spacing_source == "ultrasound_region"
    assert frame.spacing_row_mm == pytest.approx(scan.spacing_mm[0], rel=1e-6)
    assert frame.spacing_col_mm == pytest.approx(scan.spacing_mm[1], rel=1e-6)
    machine = synth.get_profile(profile)
    assert (frame.study.machine.manufacturer, frame.study.machine.model_name) == (
        machine.manufacturer,
        machine.model_name,
    )
