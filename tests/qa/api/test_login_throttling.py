"""Login throttling (django-axes): 5 failures for one username, or from one address, within 15 minutes
lock that username or address out of every login (session, token, admin) with a 429 and Retry-After.

Axes keeps its counts in the database, so each test's transaction rollback resets them."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from qa.apis.client_address import client_address
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"
LOCKOUT_SECONDS = 15 * 60


def browser(address: str = "10.0.0.1") -> APIClient:
    client = APIClient(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.get("/api/auth/csrf/")
    return client


def session_login(client: APIClient, username: str, password: str):
    return client.post(
        "/api/auth/login/",
        {"username": username, "password": password},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )


def token_login(username: str, password: str, address: str = "10.0.0.1"):
    return APIClient(REMOTE_ADDR=address).post("/api/auth/token/", {"username": username, "password": password})


def admin_login(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def assert_locked_out_json(response) -> None:
    assert response.status_code == 429
    assert response["Retry-After"] == str(LOCKOUT_SECONDS)
    assert response.json() == {
        "error": {
            "code": "too_many_attempts",
            "message": "Too many failed logins for this username or from this address. Try again in 15 minutes.",
        }
    }


def test_the_fifth_wrong_session_login_locks_out_and_then_even_the_right_password_gets_429():
    UserFactory(username="maria")
    client = browser()

    statuses = [session_login(client, "maria", f"wrong-{n}").status_code for n in range(4)]
    fifth = session_login(client, "maria", "wrong-5")
    sixth = session_login(client, "maria", PASSWORD)

    assert statuses == [400, 400, 400, 400]
    assert_locked_out_json(fifth)
    assert_locked_out_json(sixth)
    assert client.get("/api/auth/me/").status_code == 401


def test_the_fifth_wrong_token_login_locks_out_and_no_token_is_issued():
    UserFactory(username="pacs-bridge")

    statuses = [token_login("pacs-bridge", "wrong").status_code for _ in range(4)]
    fifth = token_login("pacs-bridge", "wrong")
    sixth = token_login("pacs-bridge", PASSWORD)

    assert statuses == [400, 400, 400, 400]
    assert_locked_out_json(fifth)
    assert_locked_out_json(sixth)
    assert AuthToken.objects.count() == 0


def test_the_admin_login_page_locks_out_after_five_failures_with_a_plain_429():
    UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR="10.0.0.1")

    statuses = [admin_login(client, "root", "wrong").status_code for _ in range(4)]
    fifth = admin_login(client, "root", "wrong")
    sixth = admin_login(client, "root", PASSWORD)

    # The admin re-shows its form (200) for a wrong password.
    assert statuses == [200, 200, 200, 200]
    for response in (fifth, sixth):
        assert response.status_code == 429
        assert response["Retry-After"] == str(LOCKOUT_SECONDS)
        assert response["Content-Type"].startswith("text/plain")
        assert b"Too many failed logins" in response.content
    assert "_auth_user_id" not in client.session


def test_failures_from_one_address_count_across_the_three_login_paths():
    UserFactory(username="maria")
    client = browser("10.0.0.9")

    session_login(client, "maria", "wrong")
    session_login(client, "maria", "wrong")
    token_login("maria", "wrong", address="10.0.0.9")
    admin_login(Client(REMOTE_ADDR="10.0.0.9"), "maria", "wrong")

    assert_locked_out_json(token_login("maria", "wrong", address="10.0.0.9"))


def test_one_username_guessed_from_five_addresses_is_locked_from_a_sixth():
    UserFactory(username="maria")

    for n in range(1, 5):
        assert session_login(browser(f"10.0.1.{n}"), "maria", "wrong").status_code == 400
    assert session_login(browser("10.0.1.5"), "maria", "wrong").status_code == 429

    # The lock is on the username: its owner, from an address that never failed, is refused too.
    assert_locked_out_json(session_login(browser("192.168.7.7"), "maria", PASSWORD))


def test_one_address_guessing_five_usernames_is_locked_for_every_username():
    UserFactory(username="maria")
    client = browser("10.0.2.1")

    for name in ("anna", "bob", "carl", "dora"):
        assert session_login(client, name, "wrong").status_code == 400
    assert session_login(client, "erik", "wrong").status_code == 429

    assert_locked_out_json(session_login(client, "maria", PASSWORD))
    # Another address is not affected: maria logs in from her own desk.
    assert session_login(browser("10.0.2.2"), "maria", PASSWORD).status_code == 200


def test_an_unknown_username_is_locked_out_like_a_known_one():
    for _ in range(4):
        token_login("ghost", "wrong", address=f"10.0.3.{_}")

    assert_locked_out_json(token_login("ghost", "wrong", address="10.0.3.99"))


def test_a_success_resets_the_count_for_that_username():
    UserFactory(username="maria")
    client = browser()
    for _ in range(4):
        session_login(client, "maria", "wrong")

    assert session_login(client, "maria", PASSWORD).status_code == 200
    client = browser()
    statuses = [session_login(client, "maria", "wrong").status_code for _ in range(4)]

    assert statuses == [400, 400, 400, 400]
    assert AccessAttempt.objects.get(username="maria").failures_since_start == 4


def test_a_token_login_success_resets_the_count_too():
    UserFactory(username="pacs-bridge")
    for _ in range(4):
        token_login("pacs-bridge", "wrong")

    assert token_login("pacs-bridge", PASSWORD).status_code == 200

    assert not AccessAttempt.objects.filter(username="pacs-bridge").exists()
    assert token_login("pacs-bridge", "wrong").status_code == 400


def test_logging_in_as_yourself_does_not_reset_your_failures_against_someone_else():
    UserFactory(username="maria")
    UserFactory(username="mallory")
    client = browser("10.0.4.1")
    for _ in range(4):
        session_login(client, "maria", "wrong")

    assert session_login(client, "mallory", PASSWORD).status_code == 200

    assert session_login(browser("10.0.4.1"), "maria", "wrong").status_code == 429


def test_the_lockout_ends_fifteen_minutes_after_the_last_attempt():
    UserFactory(username="maria")
    for _ in range(6):
        token_login("maria", "wrong")
    assert token_login("maria", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    assert token_login("maria", PASSWORD).status_code == 200


def test_failures_older_than_fifteen_minutes_do_not_count():
    UserFactory(username="maria")
    for _ in range(4):
        token_login("maria", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    assert token_login("maria", "wrong").status_code == 400


def test_a_request_missing_the_password_is_not_counted_as_a_failed_login():
    UserFactory(username="maria")

    statuses = [token_login("maria", "").status_code for _ in range(6)]

    assert statuses == [400] * 6
    assert AccessAttempt.objects.count() == 0


def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored(rf, settings):
    settings.FUSQA_TRUSTED_PROXY_COUNT = 0
    request = rf.post("/api/auth/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert client_address(request) == "10.0.0.1"


def test_behind_one_proxy_the_address_it_appended_is_the_client_and_the_clients_own_entries_are_not(rf, settings):
    settings.FUSQA_TRUSTED_PROXY_COUNT = 1
    request = rf.post("/api/auth/login/", REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")

    assert client_address(request) == "203.0.113.7"


def test_behind_a_proxy_clients_forwarded_through_it_are_counted_apart(settings):
    settings.FUSQA_TRUSTED_PROXY_COUNT = 1
    UserFactory(username="maria")

    def through_proxy(client_ip: str, username: str, password: str):
        client = APIClient(REMOTE_ADDR="172.18.0.5", HTTP_X_FORWARDED_FOR=client_ip)
        return client.post("/api/auth/token/", {"username": username, "password": password})

    for name in ("anna", "bob", "carl", "dora", "erik"):
        through_proxy("203.0.113.7", name, "wrong")

    assert through_proxy("203.0.113.7", "maria", PASSWORD).status_code == 429
    assert through_proxy("198.51.100.2", "maria", PASSWORD).status_code == 200


def test_the_test_clients_login_still_works_beside_the_lockout_backend():
    UserFactory(username="maria")
    client = Client()

    assert client.login(username="maria", password=PASSWORD)
    assert not client.login(username="maria", password="wrong")


def test_a_locked_out_user_is_refused_by_every_request_borne_login_even_in_tests():
    UserFactory(username="maria")
    for _ in range(5):
        token_login("maria", "wrong")

    assert admin_login(Client(REMOTE_ADDR="10.9.9.9"), "maria", PASSWORD).status_code == 429
