import pytest

from tests.factories import HospitalFactory, UserFactory

# The pipeline's private Redis server, for the Orthanc round trip's receiver and worker.
from tests.pipeline.conftest import broker  # noqa: F401


@pytest.fixture
def hospital():
    return HospitalFactory()


@pytest.fixture
def viewer(hospital, client_for):
    """An expert member of `hospital`, signed in (the SEG and SR downloads' reader)."""
    return client_for(UserFactory(role="expert", member_of=[hospital]))
