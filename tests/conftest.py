import os

import pytest
from rest_framework.test import APIClient

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """An API client authenticated as the given user (force_authenticate: no session, no CSRF)."""

    def make(user) -> APIClient:
        client = APIClient(enforce_csrf_checks=False)
        client.force_authenticate(user=user)
        return client

    return make
