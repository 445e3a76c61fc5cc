"""A live server, a hospital with a QA manager holding a knox token, and DICOM files to store."""

import datetime as dt

import pydicom
import pytest
import requests
from knox.models import AuthToken

from tests.qa.hospital_fixtures import hospital, manager  # noqa: F401
from workers.ml import synth

STOW_CONTENT_TYPE = 'multipart/related; type="application/dicom"; boundary=fusqa-test-boundary'


def token_for(user) -> str:
    return AuthToken.objects.create(user)[1]


@pytest.fixture
def token(manager):  # noqa: F811 (the imported fixture)
    return token_for(manager)


def phantom_dataset(seed: int = 5) -> pydicom.Dataset:
    scan = synth.generate_scan(synth.list_profiles()[0], seed=seed, study_date=dt.date(2026, 3, 2))
    return pydicom.dcmread(pydicom.filebase.DicomBytesIO(synth.scan_to_dicom_bytes(scan)))


def phantom_bytes(seed: int = 5) -> bytes:
    scan = synth.generate_scan(synth.list_profiles()[0], seed=seed, study_date=dt.date(2026, 3, 2))
    return synth.scan_to_dicom_bytes(scan)


def related_body(*parts: bytes, boundary: str = "fusqa-test-boundary", part_type: str = "application/dicom") -> bytes:
    body = b""
    for part in parts:
        body += f"--{boundary}\r\nContent-Type: {part_type}\r\n\r\n".encode() + part + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


def stow_post(
    url: str, token: str, body: bytes, *, content_type: str = STOW_CONTENT_TYPE, path: str = "/dicomweb/studies"
):
    return requests.post(
        url + path,
        data=body,
        headers={"Authorization": f"Token {token}", "Content-Type": content_type, "Accept": "application/dicom+json"},
        timeout=60,
    )
