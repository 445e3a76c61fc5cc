import pytest

from tests.qa.dicom_network.receiver import Receiver


@pytest.fixture(scope="module")
def receiver(django_db_setup, django_db_blocker, tmp_path_factory):
    """One receiver process for a module's tests; the tests' rows are committed (transaction=True) so it sees them."""
    process = Receiver(tmp_path_factory.mktemp("dicom-receiver") / "receiver.log")
    with django_db_blocker.unblock():
        process.start()
    yield process
    process.stop()
