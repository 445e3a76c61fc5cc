"""Calling AE titles: `manage.py set_calling_ae`, their validation, the address check and the service account."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from qa.models import CallingAE, Membership, User
from qa.models.dicom_network import validate_ae_title
from qa.permissions import can_upload_to
from qa.services.dicom_network import calling_ae_for, error_comment
from tests.factories import HospitalFactory

pytestmark = pytest.mark.django_db


def test_set_calling_ae_allows_the_title_with_an_account_that_uploads_but_cannot_log_in(capsys):
    hospital = HospitalFactory(slug="northgate")

    call_command("set_calling_ae", "northgate", "  NORTHGATE_US ")

    calling_ae = CallingAE.objects.get()
    assert (calling_ae.ae_title, calling_ae.hospital, calling_ae.source_network) == ("NORTHGATE_US", hospital, "")
    account = User.objects.get(username="dicom:NORTHGATE_US")
    assert account.role == "qa_manager"
    assert not account.has_usable_password()
    assert can_upload_to(account, hospital)
    assert "NORTHGATE_US sends for northgate as dicom:NORTHGATE_US" in capsys.readouterr().out


def test_set_calling_ae_again_moves_the_title_and_its_account_to_the_other_hospital():
    first, second = HospitalFactory(slug="first"), HospitalFactory(slug="second")
    call_command("set_calling_ae", "first", "SCANNER1")

    call_command("set_calling_ae", "second", "SCANNER1", "--source-network", "10.1.2.0/24")

    calling_ae = CallingAE.objects.get()
    assert (calling_ae.hospital, calling_ae.source_network) == (second, "10.1.2.0/24")
    account = User.objects.get(username="dicom:SCANNER1")
    assert list(Membership.objects.filter(user=account).values_list("hospital", flat=True)) == [second.id]
    assert not can_upload_to(account, first)


@pytest.mark.parametrize(
    "slug, title, network, words",
    [
        ("nowhere", "SCANNER1", "", "No hospital has the slug"),
        ("here", "BAD\\TITLE", "", "no backslash"),
        ("here", "SEVENTEEN_CHARS_X", "", "1 to 16 characters"),
        ("here", "   ", "", "1 to 16 characters"),
        ("here", "SCANNER1", "10.1.2", "not an IP address or network"),
    ],
)
def test_set_calling_ae_refuses_bad_input_and_stores_nothing(slug, title, network, words):
    HospitalFactory(slug="here")

    with pytest.raises(CommandError, match=words):
        call_command("set_calling_ae", slug, title, "--source-network", network)

    assert CallingAE.objects.count() == 0
    assert not User.objects.filter(username__startswith="dicom:").exists()


def test_an_ae_title_with_a_control_character_is_invalid():
    with pytest.raises(ValidationError):
        validate_ae_title("SCAN\tNER")


def test_a_title_bound_to_a_network_is_known_only_from_there():
    HospitalFactory(slug="here")
    call_command("set_calling_ae", "here", "SCANNER1", "--source-network", "10.1.2.0/24")

    assert calling_ae_for(ae_title="SCANNER1 ", address="10.1.2.77") is not None
    assert calling_ae_for(ae_title="SCANNER1", address="10.1.3.77") is None
    assert calling_ae_for(ae_title="SCANNER2", address="10.1.2.77") is None


def test_an_error_comment_fits_an_lo_cut_at_a_word():
    comment = error_comment(
        "The DICOM file's modality is MR, not ultrasound (US); only ultrasound images are assessed."
    )

    assert comment == "The DICOM file's modality is MR, not ultrasound (US); only..."
    assert len(comment) <= 64
    assert error_comment("a\\b  c") == "a/b c"


def test_a_calling_ae_added_in_django_admin_gets_its_account(client):
    hospital = HospitalFactory()
    admin = User.objects.create_superuser("root", password="pw-for-tests-123")
    client.force_login(admin)

    response = client.post(
        "/admin/qa/callingae/add/", {"hospital": hospital.id, "ae_title": "WARD3_US", "source_network": ""}
    )

    assert response.status_code == 302, response.content
    account = User.objects.get(username="dicom:WARD3_US")
    assert can_upload_to(account, hospital)
    assert not account.has_usable_password()
