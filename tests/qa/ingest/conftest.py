import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from qa.models import Frame, Machine, ProcessingJob, Study
from tests.qa.hospital_fixtures import hospital, manager  # noqa: F401

UPLOAD_URL = "/api/uploads/"


@pytest.fixture
def upload(client_for, manager, hospital):  # noqa: F811 (the imported fixtures)
    """POST a file to /api/uploads/ as the hospital's QA manager (or as `user`)."""

    def send(data: bytes, name: str = "scan.dcm", *, user=None, **fields):
        fields.setdefault("hospital", hospital.id)
        payload = {"file": SimpleUploadedFile(name, data), **{k: v for k, v in fields.items() if v is not None}}
        return client_for(user or manager).post(UPLOAD_URL, payload, format="multipart")

    return send


def media_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {Path(dirpath) / name for dirpath, _, names in os.walk(root) for name in names}


def storage_snapshot():
    """Counts and files now; the returned check asserts nothing was added since."""
    counts = {model: model.objects.count() for model in (Study, Frame, Machine, ProcessingJob)}
    files = media_files()

    def check() -> None:
        assert {model: model.objects.count() for model in counts} == counts
        assert media_files() - files == set()

    return check


@pytest.fixture
def nothing_stored(db):
    """Call the returned function after a refused upload: no new rows and no new files."""
    return storage_snapshot()


def assert_error(response, status: int, code: str, words: str) -> None:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert words.lower() in error["message"].lower()
