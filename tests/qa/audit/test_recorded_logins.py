"""Logins, failed logins and logouts are recorded with the address they came from, whichever way in."""

import pytest
from rest_framework.test import APIClient

from qa.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


def events() -> list[tuple]:
    return list(
        AuditEvent.objects.order_by("id").values_list("action", "actor_id", "actor_username", "source", "target_id")
    )


def test_a_session_login_is_recorded_with_the_user_and_the_client_address():
    user = UserFactory(username="maria")

    response = APIClient().post(
        "/api/auth/login/", {"username": "maria", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9"
    )

    assert response.status_code == 200
    assert events() == [("auth.login", user.id, "maria", "203.0.113.9", str(user.id))]


def test_a_failed_login_is_recorded_with_the_name_tried_no_actor_and_the_address():
    UserFactory(username="maria")

    response = APIClient().post(
        "/api/auth/login/", {"username": "maria", "password": "wrong"}, REMOTE_ADDR="198.51.100.4"
    )

    assert response.status_code == 400
    assert events() == [("auth.login_failed", None, "maria", "198.51.100.4", "")]
    # The password tried is nowhere in the log.
    assert "wrong" not in str(AuditEvent.objects.values().get())


def test_a_failed_login_of_a_name_that_does_not_exist_is_recorded_too():
    APIClient().post("/api/auth/login/", {"username": "ghost", "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")

    assert events() == [("auth.login_failed", None, "ghost", "198.51.100.4", "")]


def test_a_failed_token_request_is_recorded_as_a_failed_login():
    UserFactory(username="pacs-bridge")

    APIClient().post("/api/auth/token/", {"username": "pacs-bridge", "password": "nope"}, REMOTE_ADDR="192.0.2.50")

    assert events() == [("auth.login_failed", None, "pacs-bridge", "192.0.2.50", "")]


def test_a_logout_is_recorded():
    user = UserFactory(username="maria")
    client = APIClient()
    client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD}, REMOTE_ADDR="203.0.113.9")

    response = client.post("/api/auth/logout/", REMOTE_ADDR="203.0.113.10")

    assert response.status_code == 204
    assert events() == [
        ("auth.login", user.id, "maria", "203.0.113.9", str(user.id)),
        ("auth.logout", user.id, "maria", "203.0.113.10", str(user.id)),
    ]
