"""API tokens (django-rest-knox): they expire, are stored as digests, and can be revoked one at a time,
all together with the sessions (log out everywhere), and by any change of password."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from knox.models import AuthToken
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


def new_token(username: str) -> str:
    response = APIClient().post("/api/auth/token/", {"username": username, "password": PASSWORD})
    assert response.status_code == 200
    return response.json()["token"]


def with_token(token: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    return with_token(token).get("/api/auth/me/").status_code == 200


def logged_in_browser(username: str) -> APIClient:
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/auth/csrf/")
    response = client.post(
        "/api/auth/login/",
        {"username": username, "password": PASSWORD},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )
    assert response.status_code == 200
    return client


def test_a_token_expires_thirty_days_after_it_is_issued_and_says_so():
    UserFactory(username="pacs-bridge")
    before = timezone.now()

    response = APIClient().post("/api/auth/token/", {"username": "pacs-bridge", "password": PASSWORD})

    expires_at = parse_datetime(response.json()["expires_at"])
    assert before + timedelta(days=30) <= expires_at <= timezone.now() + timedelta(days=30)
    assert AuthToken.objects.get().expiry == expires_at


def test_the_lifetime_is_configurable(settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": timedelta(hours=2)}
    UserFactory(username="pacs-bridge")

    new_token("pacs-bridge")

    lifetime = AuthToken.objects.get().expiry - timezone.now()
    assert timedelta(hours=1, minutes=59) < lifetime <= timedelta(hours=2)


def test_an_expired_token_is_refused_with_401_and_deleted():
    UserFactory(username="pacs-bridge")
    token = new_token("pacs-bridge")
    AuthToken.objects.update(expiry=timezone.now() - timedelta(seconds=1))

    response = with_token(token).get("/api/auth/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"error": {"code": "authentication_failed", "message": "Invalid token."}}
    assert AuthToken.objects.count() == 0


def test_only_a_digest_of_the_token_is_stored():
    user = UserFactory(username="pacs-bridge")

    token = new_token("pacs-bridge")

    row = AuthToken.objects.values().get(user=user)
    assert len(token) == 64
    assert len(row["digest"]) == 128
    assert token not in {str(value) for value in row.values()}
    # Only the first 15 characters are kept in the clear, to find the row to compare the digest with.
    assert row["token_key"] == token[:15]


def test_a_token_differing_only_after_its_stored_prefix_is_refused():
    UserFactory(username="pacs-bridge")
    token = new_token("pacs-bridge")
    forged = token[:15] + ("0" if token[15] != "0" else "1") + token[16:]

    assert with_token(forged).get("/api/auth/me/").status_code == 401


def test_a_client_revokes_the_token_it_uses_and_only_that_one():
    UserFactory(username="pacs-bridge")
    first, second = new_token("pacs-bridge"), new_token("pacs-bridge")

    response = with_token(first).post("/api/auth/token/revoke/")

    assert response.status_code == 204
    assert not works(first)
    assert works(second)


def test_revoking_from_a_session_names_the_missing_token_and_changes_nothing():
    UserFactory(username="maria")
    token = new_token("maria")
    client = logged_in_browser("maria")

    response = client.post("/api/auth/token/revoke/", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "no_token"
    assert works(token)


def test_logging_out_with_a_token_revokes_it():
    UserFactory(username="pacs-bridge")
    token = new_token("pacs-bridge")

    assert with_token(token).post("/api/auth/logout/").status_code == 204

    assert not works(token)


def test_log_out_everywhere_revokes_every_token_and_ends_every_session_of_that_user_only():
    UserFactory(username="maria")
    other = UserFactory(username="other")
    tokens = [new_token("maria"), new_token("maria")]
    desk, ward = logged_in_browser("maria"), logged_in_browser("maria")
    others_token, others_browser = new_token("other"), logged_in_browser("other")

    response = with_token(tokens[0]).post("/api/auth/logout-everywhere/")

    assert response.status_code == 204
    assert [works(token) for token in tokens] == [False, False]
    assert desk.get("/api/auth/me/").status_code == 401
    assert ward.get("/api/auth/me/").status_code == 401
    assert works(others_token)
    assert others_browser.get("/api/auth/me/").status_code == 200
    assert [session.get_decoded().get("_auth_user_id") for session in Session.objects.all()] == [str(other.id)]


def test_log_out_everywhere_from_a_browser_ends_that_session_too():
    UserFactory(username="maria")
    token = new_token("maria")
    client = logged_in_browser("maria")

    response = client.post("/api/auth/logout-everywhere/", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)

    assert response.status_code == 204
    assert client.get("/api/auth/me/").status_code == 401
    assert not works(token)


def test_log_out_everywhere_from_a_browser_needs_the_csrf_token():
    UserFactory(username="maria")
    token = new_token("maria")
    client = logged_in_browser("maria")

    response = client.post("/api/auth/logout-everywhere/")

    assert response.status_code == 403
    assert works(token)
    assert client.get("/api/auth/me/").status_code == 200


def test_setting_a_new_password_revokes_every_token_and_ends_the_sessions():
    user = UserFactory(username="maria")
    token = new_token("maria")
    client = logged_in_browser("maria")

    user.set_password("a-new-password-456")
    user.save()

    assert not works(token)
    assert client.get("/api/auth/me/").status_code == 401


def test_changing_a_password_in_the_admin_revokes_that_users_tokens():
    root = UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    user = UserFactory(username="maria")
    token = new_token("maria")
    admin = Client()
    admin.force_login(root)

    response = admin.post(
        f"/admin/qa/user/{user.id}/password/",
        {"password1": "a-new-password-456", "password2": "a-new-password-456"},
    )

    assert response.status_code == 302
    assert not works(token)


def test_saving_a_user_without_changing_the_password_keeps_the_tokens():
    user = UserFactory(username="maria")
    token = new_token("maria")

    user.first_name = "Maria"
    user.save()
    user.refresh_from_db()
    user.save(update_fields=["last_login"])

    assert works(token)


def test_getting_a_token_records_the_login_time_and_stores_no_session():
    user = UserFactory(username="pacs-bridge")
    assert user.last_login is None

    new_token("pacs-bridge")

    user.refresh_from_db()
    assert user.last_login is not None
    assert Session.objects.count() == 0
