import os

import pytest
from rest_framework.test import APIClient

os.environ.setdefault("NO_ALBUMENTATIONS_UPDATE", "1")


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for():
    """An API client logged in as the given user (session auth, CSRF enforced like a browser)."""

    def make(user) -> APIClient:
        client = APIClient(enforce_csrf_checks=False)
        client.force_authenticate(user=user)
        return client

    return make
