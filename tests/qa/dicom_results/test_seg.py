"""GET /api/masks/{id}/seg/: a mask as a DICOM SEG referencing the stored de-identified instance."""

import io

import numpy as np
import pydicom
import pytest

from qa.models import Frame
from tests.factories import HospitalFactory, MaskFactory, UserFactory
from tests.qa.dicom_results.stored import a_mask, an_expert_correction, stored_cine, stored_phantom, with_result

pytestmark = pytest.mark.django_db

SEG_STORAGE = "1.2.840.10008.5.1.4.1.1.66.4"


def seg_of(client, mask_id):
    response = client.get(f"/api/masks/{mask_id}/seg/")
    assert response.status_code == 200, response.content
    return response, pydicom.dcmread(io.BytesIO(response.content))


def test_a_model_mask_downloads_as_a_binary_seg_in_the_study_of_its_stored_image(hospital, viewer):
    frame = stored_phantom(hospital)
    mask, _, _ = with_result(frame)
    stored = pydicom.dcmread(frame.source_file.path, stop_before_pixels=True)

    response, seg = seg_of(viewer, mask.id)

    assert response["Content-Type"] == "application/dicom"
    assert response["Content-Disposition"] == f'attachment; filename="frame-{frame.id}-mask-{mask.id}-seg.dcm"'
    assert seg.SOPClassUID == SEG_STORAGE
    assert seg.SegmentationType == "BINARY"
    assert seg.StudyInstanceUID == stored.StudyInstanceUID
    assert seg.SeriesInstanceUID != stored.SeriesInstanceUID
    assert seg.PatientID == stored.PatientID == frame.study.patient_key
    [source] = seg.SourceImageSequence
    assert (source.ReferencedSOPClassUID, source.ReferencedSOPInstanceUID) == (
        stored.SOPClassUID,
        stored.SOPInstanceUID,
    )
    assert stored.SOPInstanceUID == frame.sop_instance_uid
    [segment] = seg.SegmentSequence
    assert segment.SegmentLabel == "Fetus"
    kind = segment.SegmentedPropertyTypeCodeSequence[0]
    assert (kind.CodeValue, kind.CodingSchemeDesignator, kind.CodeMeaning) == ("83418008", "SCT", "Fetus")
    assert segment.SegmentAlgorithmType == "AUTOMATIC"
    assert segment.SegmentationAlgorithmIdentificationSequence[0].AlgorithmVersion == mask.model_version.version
    assert np.array_equal(seg.pixel_array.astype(bool), a_mask(frame))


def test_an_expert_correction_downloads_as_a_manual_segment(hospital, viewer):
    frame = stored_phantom(hospital)
    mask, _, _ = with_result(frame)
    correction = an_expert_correction(mask, UserFactory(role="expert", member_of=[hospital]))

    _, seg = seg_of(viewer, correction.id)

    assert seg.SegmentSequence[0].SegmentAlgorithmType == "MANUAL"
    assert seg.ContentDescription == f"Expert correction v{correction.version}"
    assert seg.pixel_array.astype(bool).sum() == correction.area_px


def test_the_same_mask_is_the_same_instance_and_another_mask_another(hospital, viewer):
    frame = stored_phantom(hospital)
    mask, _, _ = with_result(frame)
    correction = an_expert_correction(mask, UserFactory(role="expert", member_of=[hospital]))

    _, first = seg_of(viewer, mask.id)
    _, again = seg_of(viewer, mask.id)
    _, other = seg_of(viewer, correction.id)

    assert first.SOPInstanceUID == again.SOPInstanceUID
    assert other.SOPInstanceUID != first.SOPInstanceUID
    assert other.SeriesInstanceUID == first.SeriesInstanceUID


def test_a_frame_of_a_cine_is_referenced_by_its_frame_number(hospital, viewer):
    frames = stored_cine(hospital)
    frame = frames[4]
    mask, _, _ = with_result(frame)
    stored = pydicom.dcmread(frame.source_file.path, stop_before_pixels=True)

    _, seg = seg_of(viewer, mask.id)

    assert seg.NumberOfFrames == 1
    [source] = seg.SourceImageSequence
    assert source.ReferencedSOPClassUID == stored.SOPClassUID == "1.2.840.10008.5.1.4.1.1.3.1"
    assert source.ReferencedFrameNumber == 5
    derived = seg.PerFrameFunctionalGroupsSequence[0].DerivationImageSequence[0].SourceImageSequence[0]
    assert (derived.ReferencedSOPInstanceUID, derived.ReferencedFrameNumber) == (stored.SOPInstanceUID, 5)


def test_a_png_upload_has_no_dicom_to_reference_and_answers_409(hospital, viewer):
    mask = MaskFactory(frame__study__hospital=hospital)
    assert mask.frame.source == "png"

    response = viewer.get(f"/api/masks/{mask.id}/seg/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_dicom_source"
    assert "PNG" in response.json()["error"]["message"]


def test_a_mask_of_another_hospital_is_not_found(hospital, client_for):
    frame = stored_phantom(hospital)
    mask, _, _ = with_result(frame)
    outsider = client_for(UserFactory(role="expert", member_of=[HospitalFactory()]))

    response = outsider.get(f"/api/masks/{mask.id}/seg/")

    assert response.status_code == 404
    assert Frame.objects.count() == 1
