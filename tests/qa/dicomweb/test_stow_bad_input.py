"""STOW-RS requests that are wrong as a whole (401/403/404/400/415, nothing stored) or in a part
(that part failed with its reason), sent as raw HTTP to a live server."""

import pytest
from pydicom.data import get_testdata_file

from qa.models import AuditAction, AuditEvent, Frame, Role
from tests.factories import HospitalFactory, UserFactory
from tests.qa.dicomweb.conftest import phantom_bytes, related_body, stow_post, token_for
from tests.qa.ingest.conftest import storage_snapshot

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def error(response) -> tuple[int, str, str]:
    body = response.json()["error"]
    return response.status_code, body["code"], body["message"]


def test_a_wrong_boundary_is_a_400_naming_it_and_nothing_is_stored(live_server, token):
    nothing_stored = storage_snapshot()
    body = related_body(phantom_bytes(), boundary="the-real-one")

    response = stow_post(live_server.url, token, body)

    status, code, message = error(response)
    assert (status, code) == (400, "invalid_multipart")
    assert "boundary is wrong" in message
    nothing_stored()


@pytest.mark.parametrize(
    ("content_type", "words"),
    [
        ("application/dicom", "'application/dicom'"),
        ("multipart/form-data; boundary=fusqa-test-boundary", "'multipart/form-data'"),
        ('multipart/related; type="application/dicom+json"; boundary=fusqa-test-boundary', "application/dicom+json"),
    ],
)
def test_a_wrong_content_type_is_a_415_naming_it_and_nothing_is_stored(live_server, token, content_type, words):
    nothing_stored = storage_snapshot()

    response = stow_post(live_server.url, token, related_body(phantom_bytes()), content_type=content_type)

    status, code, message = error(response)
    assert (status, code) == (415, "unsupported_media_type")
    assert words in message
    nothing_stored()


def test_a_content_type_without_a_boundary_is_a_400(live_server, token):
    no_boundary = 'multipart/related; type="application/dicom"'

    response = stow_post(live_server.url, token, related_body(phantom_bytes()), content_type=no_boundary)

    assert error(response)[:2] == (400, "invalid_multipart")
    assert Frame.objects.count() == 0


def test_a_body_cut_before_its_closing_delimiter_stores_not_even_its_complete_first_part(live_server, token):
    nothing_stored = storage_snapshot()
    body = related_body(phantom_bytes(seed=1), phantom_bytes(seed=2))
    cut = body[: len(body) - 5000]

    response = stow_post(live_server.url, token, cut)

    status, code, message = error(response)
    assert (status, code) == (400, "invalid_multipart")
    assert "closing boundary delimiter is missing" in message
    nothing_stored()


def test_a_part_that_is_not_dicom_fails_alone_and_the_others_are_stored(live_server, token, hospital):
    body = related_body(phantom_bytes(seed=1))[: -len(b"--fusqa-test-boundary--\r\n")]
    body += b"--fusqa-test-boundary\r\nContent-Type: text/plain\r\n\r\nhello\r\n--fusqa-test-boundary--\r\n"

    response = stow_post(live_server.url, token, body)

    assert response.status_code == 202
    assert response.headers["Content-Type"] == "application/dicom+json"
    result = response.json()
    assert len(result["00081199"]["Value"]) == 1
    [failed] = result["00081198"]["Value"]
    assert failed["00081197"]["Value"] == [0xC000]
    assert "text/plain, not application/dicom" in response.headers["Warning"]
    assert Frame.objects.filter(hospital=hospital).count() == 1


def test_a_truncated_dicom_instance_cannot_be_understood_and_nothing_is_stored(live_server, token):
    data = phantom_bytes()
    nothing_stored = storage_snapshot()

    response = stow_post(live_server.url, token, related_body(data[: len(data) // 2]))

    assert response.status_code == 400
    [failed] = response.json()["00081198"]["Value"]
    assert failed["00081197"]["Value"] == [0xC000]
    assert "truncated" in response.headers["Warning"]
    nothing_stored()
    assert AuditEvent.objects.filter(action=AuditAction.UPLOAD_REFUSED).count() == 1


def test_an_ultrasound_file_without_spacing_does_not_match_and_says_why(live_server, token):
    nothing_stored = storage_snapshot()
    # pydicom's RGB ultrasound example has no region calibration and no PixelSpacing.
    with open(get_testdata_file("examples_rgb_color.dcm"), "rb") as file:
        data = file.read()

    response = stow_post(live_server.url, token, related_body(data))

    assert response.status_code == 409
    [failed] = response.json()["00081198"]["Value"]
    assert failed["00081197"]["Value"] == [0xA900]
    assert "spacing is missing" in response.headers["Warning"]
    nothing_stored()


def test_without_a_token_it_is_a_401(live_server):
    response = stow_post(live_server.url, "not-a-token", related_body(phantom_bytes()))

    assert response.status_code == 401
    assert Frame.objects.count() == 0


def test_an_expert_may_not_store_and_gets_a_403(live_server, hospital):
    expert = UserFactory(role=Role.EXPERT, member_of=[hospital])

    response = stow_post(live_server.url, token_for(expert), related_body(phantom_bytes()))

    assert error(response)[:2] == (403, "forbidden")
    assert Frame.objects.count() == 0


def test_another_hospital_is_a_404_and_an_admin_must_name_one(live_server, token, hospital):
    other = HospitalFactory()
    admin = UserFactory(role=Role.ADMIN)
    body = related_body(phantom_bytes())

    elsewhere = stow_post(live_server.url, token, body, path=f"/dicomweb/studies?hospital={other.slug}")
    unnamed = stow_post(live_server.url, token_for(admin), body)
    named = stow_post(live_server.url, token_for(admin), body, path=f"/dicomweb/studies?hospital={other.id}")

    assert error(elsewhere)[:2] == (404, "not_found")
    assert error(unnamed)[:2] == (400, "invalid")
    assert named.status_code == 200
    assert list(Frame.objects.values_list("hospital", flat=True)) == [other.id]


def test_a_study_path_that_is_not_a_uid_is_a_400(live_server, token):
    response = stow_post(live_server.url, token, related_body(phantom_bytes()), path="/dicomweb/studies/not-a-uid")

    assert error(response)[:2] == (400, "invalid_uid")
    assert Frame.objects.count() == 0


def test_a_part_over_the_upload_limit_is_out_of_resources_and_the_small_one_is_stored(live_server, token, settings):
    small = phantom_bytes(seed=1)
    settings.FUSQA_MAX_UPLOAD_BYTES = len(small) + 1000
    big = phantom_bytes(seed=2) + b"\x00" * 5000  # trailing padding: still a valid file, over the limit

    response = stow_post(live_server.url, token, related_body(small, big))

    assert response.status_code == 202
    result = response.json()
    [stored] = result["00081199"]["Value"]
    [failed] = result["00081198"]["Value"]
    assert failed["00081197"]["Value"] == [0xA700]
    assert "limited to" in response.headers["Warning"]
    assert Frame.objects.count() == 1
