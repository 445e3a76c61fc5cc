"""The OpenAPI schema builds, validates and raises not a single warning: the frontend's types come from it."""

import pytest
import yaml
from django.core.management import call_command

from tests.factories import UserFactory


@pytest.fixture
def schema(tmp_path) -> dict:
    path = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_the_schema_builds_and_validates_without_warnings(schema):
    assert schema["info"]["title"] == "FUSQA API"


def test_the_schema_describes_every_read_endpoint(schema):
    expected = {
        "/api/auth/csrf/",
        "/api/auth/login/",
        "/api/auth/logout/",
        "/api/auth/logout-everywhere/",
        "/api/auth/me/",
        "/api/auth/token/",
        "/api/auth/token/revoke/",
        "/api/hospitals/",
        "/api/hospitals/{hospital_id}/",
        "/api/machines/",
        "/api/studies/",
        "/api/studies/{study_id}/",
        "/api/frames/{frame_id}/",
        "/api/frames/{frame_id}/image/",
        "/api/masks/{mask_id}/",
        "/api/masks/{mask_id}/image/",
        "/api/reviews/",
        "/api/model-versions/",
        "/api/training-runs/",
        "/api/training-runs/{training_run_id}/",
        "/api/dashboard/",
        "/api/alerts/",
        "/api/alerts/{alert_id}/acknowledge/",
    }

    assert expected <= set(schema["paths"])


def test_images_are_described_as_binary_png(schema):
    for path in ("/api/frames/{frame_id}/image/", "/api/masks/{mask_id}/image/"):
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]
        assert content == {"image/png": {"schema": {"type": "string", "format": "binary"}}}


@pytest.mark.django_db
def test_the_schema_and_its_docs_are_served_to_a_logged_in_user(client):
    client.force_login(UserFactory())

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/redoc/").status_code == 200


def test_list_limits_are_described_with_their_range(schema):
    parameters = {p["name"]: p["schema"] for p in schema["paths"]["/api/studies/"]["get"]["parameters"]}

    assert parameters["limit"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameters["offset"] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
