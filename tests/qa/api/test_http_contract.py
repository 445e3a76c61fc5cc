"""The edges of the HTTP contract: who is anonymous, paths that name nothing, and absurd page sizes."""

import pytest
from rest_framework.test import APIClient

from tests.factories import HospitalFactory, StudyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader() -> APIClient:
    client = APIClient()
    client.force_authenticate(UserFactory(role="admin"))
    return client


@pytest.mark.parametrize("path", ["/api/studies/", "/api/auth/me/", "/api/hospitals/", "/api/schema/"])
def test_an_anonymous_request_gets_401_with_a_www_authenticate_challenge(path):
    response = APIClient().get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "error": {"code": "not_authenticated", "message": "Authentication credentials were not provided."}
    }


def test_a_logged_in_user_without_a_role_for_a_list_still_gets_403_not_401():
    client = APIClient()
    client.force_authenticate(UserFactory(role="qa_manager"))

    response = client.get("/api/training-runs/")

    assert response.status_code == 403


@pytest.mark.parametrize("method", ["get", "post", "delete"])
def test_an_unknown_api_path_is_a_json_404_naming_the_path(reader, method):
    response = getattr(reader, method)("/api/no-such-thing/42/")

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "No API endpoint at /api/no-such-thing/42/."}}


def test_an_api_path_missing_its_slash_is_a_json_404_that_suggests_the_slash():
    response = APIClient().post("/api/uploads", {})

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No API endpoint at /api/uploads. Did you mean /api/uploads/?"


def test_an_unknown_api_path_is_404_for_anonymous_callers_too():
    response = APIClient().get("/api/nothing-here/")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_paths_outside_the_api_still_reach_the_browser_app(client):
    response = client.get("/studies/12")

    # 200 with the built app, 503 naming the build command without it: the app's view either way.
    assert response.status_code in (200, 503)
    assert response["Content-Type"].startswith("text/")


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("limit=9223372036854775808", "limit"),
        ("limit=501", "limit"),
        ("limit=0", "limit"),
        ("limit=-1", "limit"),
        ("limit=ten", "limit"),
        ("limit=1e3", "limit"),
        ("limit=%2B5", "limit"),
        ("limit=" + "9" * 5000, "limit"),
        ("offset=9223372036854775808", "offset"),
        ("offset=2147483648", "offset"),
        ("offset=-1", "offset"),
        ("offset=1.5", "offset"),
    ],
)
def test_an_absurd_limit_or_offset_is_a_400_naming_the_parameter_and_its_range(reader, query, parameter):
    response = reader.get(f"/api/studies/?{query}")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == parameter
    maximum = 500 if parameter == "limit" else 2**31 - 1
    minimum = 1 if parameter == "limit" else 0
    assert error["message"].startswith(f"{parameter}: must be a whole number from {minimum} to {maximum}, not ")


def test_the_largest_allowed_limit_and_offset_are_served(reader):
    hospital = HospitalFactory()
    StudyFactory.create_batch(3, hospital=hospital)

    largest = reader.get("/api/studies/?limit=500").json()
    far = reader.get(f"/api/studies/?offset={2**31 - 1}").json()

    assert (largest["count"], len(largest["results"])) == (3, 3)
    assert (far["count"], far["results"]) == (3, [])


def test_without_a_limit_a_page_holds_one_hundred(reader):
    hospital = HospitalFactory()
    StudyFactory.create_batch(101, hospital=hospital)

    body = reader.get("/api/studies/").json()

    assert (body["count"], len(body["results"])) == (101, 100)
    assert body["next"].endswith("limit=100&offset=100")


def test_an_empty_limit_means_the_default(reader):
    assert reader.get("/api/hospitals/?limit=&offset=").status_code == 200


def test_every_paginated_list_checks_its_limit(reader):
    for path in ("/api/hospitals/", "/api/machines/", "/api/reviews/", "/api/model-versions/", "/api/training-runs/"):
        assert reader.get(f"{path}?limit=9223372036854775808").status_code == 400, path
