import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import HospitalFactory, UserFactory
from tests.qa.ingest.conftest import storage_snapshot


@pytest.fixture
def hospital(db):
    return HospitalFactory(name="Alpha General", slug="alpha")


@pytest.fixture
def manager(hospital):
    return UserFactory(username="qa_alpha", role="qa_manager", member_of=[hospital])


@pytest.fixture
def upload(client_for, manager, hospital):
    """POST a file to /api/uploads/ as the hospital's QA manager (or `user`), from `remote_addr`."""

    def send(data: bytes, name: str = "scan.dcm", *, user=None, remote_addr="127.0.0.1", **fields):
        payload = {"file": SimpleUploadedFile(name, data), "hospital": hospital.id, **fields}
        return client_for(user or manager).post("/api/uploads/", payload, format="multipart", REMOTE_ADDR=remote_addr)

    return send


@pytest.fixture
def nothing_stored(db):
    return storage_snapshot()
