"""Session login for the browser (CSRF enforced), tokens for machines."""

import pytest
from knox.models import AuthToken
from rest_framework.test import APIClient

from qa.models import Role
from tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


def browser() -> APIClient:
    """A client that checks CSRF like a browser session does, holding the csrftoken cookie."""
    client = APIClient(enforce_csrf_checks=True)
    response = client.get("/api/auth/csrf/")
    assert response.status_code == 200
    assert response.cookies["csrftoken"].value
    return client


def csrf_header(client: APIClient) -> dict:
    return {"HTTP_X_CSRFTOKEN": client.cookies["csrftoken"].value}


def is_logged_in(client: APIClient) -> bool:
    return client.get("/api/auth/me/").status_code == 200


def test_the_csrf_endpoint_sets_the_cookie_and_returns_a_token_that_passes_the_check():
    UserFactory(username="maria")
    client = APIClient(enforce_csrf_checks=True)

    response = client.get("/api/auth/csrf/")

    assert response.status_code == 200
    assert response.cookies["csrftoken"].value
    token = response.json()["csrf_token"]
    login = client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD}, HTTP_X_CSRFTOKEN=token)
    assert login.status_code == 200


def test_a_browser_logs_in_with_the_csrf_token_and_gets_the_me_object():
    alpha, beta = HospitalFactory(name="Alpha", slug="alpha"), HospitalFactory(name="Beta", slug="beta")
    HospitalFactory(name="Gamma", slug="gamma")
    user = UserFactory(username="maria", role=Role.QA_MANAGER, member_of=[beta, alpha])
    client = browser()

    response = client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD}, **csrf_header(client))

    assert response.status_code == 200
    expected = {
        "id": user.id,
        "username": "maria",
        "role": "qa_manager",
        "hospitals": [
            {"id": alpha.id, "name": "Alpha", "slug": "alpha"},
            {"id": beta.id, "name": "Beta", "slug": "beta"},
        ],
    }
    assert response.json() == expected
    assert client.get("/api/auth/me/").json() == expected


def test_a_login_without_the_csrf_token_is_refused_and_nobody_is_logged_in():
    UserFactory(username="maria")
    client = browser()

    response = client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD})

    assert response.status_code == 403
    assert response.json()["error"]["message"].startswith("CSRF Failed")
    assert "_auth_user_id" not in client.session
    assert not is_logged_in(client)


def test_a_wrong_password_answers_400_naming_the_problem_and_nobody_is_logged_in():
    UserFactory(username="maria")
    client = browser()

    response = client.post("/api/auth/login/", {"username": "maria", "password": "wrong"}, **csrf_header(client))

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid_credentials",
            "message": "The username or password is incorrect, or the account is disabled.",
        }
    }
    assert not is_logged_in(client)


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password():
    client = browser()

    response = client.post("/api/auth/login/", {"username": "ghost", "password": PASSWORD}, **csrf_header(client))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"


def test_a_disabled_account_cannot_log_in():
    UserFactory(username="maria", is_active=False)
    client = browser()

    response = client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD}, **csrf_header(client))

    assert response.status_code == 400
    assert not is_logged_in(client)


def test_a_login_without_a_password_names_the_missing_field():
    client = browser()

    response = client.post("/api/auth/login/", {"username": "maria"}, **csrf_header(client))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert response.json()["error"]["message"] == "password: This field is required."


def test_logout_ends_the_session():
    UserFactory(username="maria")
    client = browser()
    client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD}, **csrf_header(client))

    response = client.post("/api/auth/logout/", **csrf_header(client))

    assert response.status_code == 204
    assert not is_logged_in(client)


def test_a_logout_without_the_csrf_token_is_refused_and_the_session_survives():
    UserFactory(username="maria")
    client = browser()
    client.post("/api/auth/login/", {"username": "maria", "password": PASSWORD}, **csrf_header(client))

    response = client.post("/api/auth/logout/")

    assert response.status_code == 403
    assert is_logged_in(client)


def test_me_lists_every_hospital_for_an_admin():
    hospitals = [HospitalFactory(), HospitalFactory()]
    admin = UserFactory(role=Role.ADMIN)
    client = APIClient()
    client.force_authenticate(admin)

    body = client.get("/api/auth/me/").json()

    assert body["role"] == "admin"
    assert [h["id"] for h in body["hospitals"]] == [h.id for h in sorted(hospitals, key=lambda h: h.name)]


def test_a_machine_gets_a_token_and_reads_with_it_without_csrf():
    hospital = HospitalFactory()
    user = UserFactory(username="pacs-bridge", member_of=[hospital])

    response = APIClient().post("/api/auth/token/", {"username": "pacs-bridge", "password": PASSWORD})

    assert response.status_code == 200
    token = response.json()["token"]
    assert AuthToken.objects.get(user=user).token_key == token[:15]
    machine = APIClient(enforce_csrf_checks=True)
    machine.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert machine.get("/api/auth/me/").json()["hospitals"][0]["id"] == hospital.id
    # Token requests carry no cookie, so no CSRF token is asked of them.
    assert machine.post("/api/auth/logout/").status_code == 204


def test_asking_twice_gives_two_tokens_that_both_work():
    UserFactory(username="pacs-bridge")
    client = APIClient()

    first = client.post("/api/auth/token/", {"username": "pacs-bridge", "password": PASSWORD}).json()
    second = client.post("/api/auth/token/", {"username": "pacs-bridge", "password": PASSWORD}).json()

    assert first["token"] != second["token"]
    for token in (first["token"], second["token"]):
        assert APIClient().get("/api/auth/me/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200


def test_a_wrong_password_gets_no_token_and_creates_none():
    UserFactory(username="pacs-bridge")

    response = APIClient().post("/api/auth/token/", {"username": "pacs-bridge", "password": "wrong"})

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert AuthToken.objects.count() == 0


def test_a_bad_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get("/api/auth/me/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "authentication_failed"


def test_a_superuser_is_reported_as_an_admin_whatever_their_role_column_says():
    hospital = HospitalFactory()
    superuser = UserFactory(role=Role.QA_MANAGER, is_superuser=True)
    client = APIClient()
    client.force_authenticate(superuser)

    body = client.get("/api/auth/me/").json()

    assert (body["role"], [h["id"] for h in body["hospitals"]]) == ("admin", [hospital.id])
