import pytest

from workers.ml.synth import generate_scan, list_profiles


@pytest.fixture(scope="session")
def scans_by_profile():
    """Three frames per machine profile (generated once for the whole test session)."""
    return {name: [generate_scan(name, seed) for seed in (11, 12, 13)] for name in list_profiles()}
