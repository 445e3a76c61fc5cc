"""Fixtures shared by conftests that need a hospital and its QA manager (import them into a conftest)."""

import pytest

from tests.factories import HospitalFactory, UserFactory


@pytest.fixture
def hospital(db):
    return HospitalFactory()


@pytest.fixture
def manager(hospital):
    return UserFactory(role="qa_manager", member_of=[hospital])
