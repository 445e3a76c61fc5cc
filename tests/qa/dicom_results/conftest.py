# The pipeline's private Redis server, for the Orthanc round trip's receiver and worker.
from tests.pipeline.conftest import broker  # noqa: F401
