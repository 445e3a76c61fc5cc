"""dicomweb-client's store_instances against POST /dicomweb/studies on a live server."""

import pydicom
import pytest
from dicomweb_client import DICOMwebClient
from pydicom.data import get_testdata_file
from requests import HTTPError

from qa.models import AuditAction, AuditEvent, Frame
from tests.qa.dicomweb.conftest import phantom_dataset
from tests.qa.ingest.conftest import storage_snapshot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def client(live_server, token: str) -> DICOMwebClient:
    # One chunk: Django's test server, like wsgiref, does not read chunked request bodies (gunicorn and nginx do).
    return DICOMwebClient(
        url=live_server.url + "/dicomweb", headers={"Authorization": f"Token {token}"}, chunk_size=10**9
    )


def test_a_phantom_and_pydicoms_ultrasound_files_are_stored_and_listed_as_referenced(live_server, token, hospital):
    datasets = [
        phantom_dataset(),
        pydicom.dcmread(get_testdata_file("examples_ybr_color.dcm")),
        pydicom.dcmread(get_testdata_file("examples_palette.dcm")),
    ]

    response = client(live_server, token).store_instances(datasets)

    assert "FailedSOPSequence" not in response
    assert [item.ReferencedSOPInstanceUID for item in response.ReferencedSOPSequence] == [
        ds.SOPInstanceUID for ds in datasets
    ]
    assert [item.ReferencedSOPClassUID for item in response.ReferencedSOPSequence] == [
        ds.SOPClassUID for ds in datasets
    ]
    assert Frame.objects.filter(hospital=hospital).count() == 1 + 30 + 1
    stored = AuditEvent.objects.filter(action=AuditAction.UPLOAD_STORED)
    assert stored.count() == 3
    assert {event.source for event in stored} == {"dicomweb:127.0.0.1"}


def test_a_resend_is_stored_again_without_new_frames(live_server, token, hospital):
    dataset = phantom_dataset()
    client(live_server, token).store_instances([dataset])

    again = client(live_server, token).store_instances([dataset])

    assert [item.ReferencedSOPInstanceUID for item in again.ReferencedSOPSequence] == [dataset.SOPInstanceUID]
    assert Frame.objects.filter(hospital=hospital).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.UPLOAD_DUPLICATE).count() == 1


def test_storing_into_a_named_study_refuses_an_instance_of_another_study(live_server, token, hospital):
    ours, other = phantom_dataset(seed=5), phantom_dataset(seed=6)
    assert ours.StudyInstanceUID != other.StudyInstanceUID

    response = client(live_server, token).store_instances([ours, other], study_instance_uid=ours.StudyInstanceUID)

    assert [item.ReferencedSOPInstanceUID for item in response.ReferencedSOPSequence] == [ours.SOPInstanceUID]
    [failed] = response.FailedSOPSequence
    assert (failed.ReferencedSOPInstanceUID, failed.FailureReason) == (other.SOPInstanceUID, 0xA900)
    assert Frame.objects.filter(hospital=hospital).count() == 1


def test_an_mr_image_is_refused_as_an_unsupported_sop_class_and_nothing_is_stored(live_server, token, hospital):
    nothing_stored = storage_snapshot()

    with pytest.raises(HTTPError) as refused:
        client(live_server, token).store_instances([pydicom.dcmread(get_testdata_file("MR_small.dcm"))])

    assert refused.value.response.status_code == 409
    body = refused.value.response.json()
    [failed] = body["00081198"]["Value"]
    assert failed["00081197"] == {"vr": "US", "Value": [0x0122]}
    assert "not an ultrasound" in refused.value.response.headers["Warning"]
    nothing_stored()
    assert AuditEvent.objects.get(action=AuditAction.UPLOAD_REFUSED).detail["code"] == "sop_class_not_supported"
