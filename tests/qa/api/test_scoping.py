"""Users × endpoints: every read answers only with rows of the hospitals the user may see."""

import pytest
from rest_framework.test import APIClient

from qa.models import ModelVersion
from tests.factories import ModelVersionFactory, TrainingRunFactory

LISTS = {
    "hospital": "/api/hospitals/",
    "machine": "/api/machines/",
    "study": "/api/studies/",
    "review": "/api/reviews/",
}
DETAILS = {
    "hospital": "/api/hospitals/{}/",
    "study": "/api/studies/{}/",
    "frame": "/api/frames/{}/",
    "frame-image": "/api/frames/{}/image/",
    "mask": "/api/masks/{}/",
    "mask-image": "/api/masks/{}/image/",
}
ROW_OF = {"frame-image": "frame", "mask-image": "mask"}


def detail_urls(site) -> list[str]:
    return [url.format(site.ids[ROW_OF.get(name, name)]) for name, url in DETAILS.items()]


def listed_ids(client, url) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, response.content
    return sorted(row["id"] for row in response.json()["results"])


def visible_sites(world, who):
    return {
        "qa_manager_of_a": [world.a],
        "expert_of_b": [world.b],
        "admin": [world.a, world.b, world.c],
        "nobody": [],
    }[who]


USERS = ["qa_manager_of_a", "expert_of_b", "admin", "nobody"]


@pytest.mark.parametrize("who", USERS)
@pytest.mark.parametrize("row", LISTS)
def test_every_list_holds_only_the_rows_of_hospitals_the_user_sees(world, client_for, who, row):
    client = client_for(getattr(world, who))

    expected = sorted(site.ids[row] for site in visible_sites(world, who))

    assert listed_ids(client, LISTS[row]) == expected


@pytest.mark.parametrize("who", USERS)
def test_every_detail_and_image_of_a_hospital_the_user_does_not_see_answers_404(world, client_for, who):
    client = client_for(getattr(world, who))
    visible = visible_sites(world, who)

    for site in (world.a, world.b, world.c):
        expected = 200 if site in visible else 404
        for url in detail_urls(site):
            assert client.get(url).status_code == expected, url


def test_a_row_of_another_hospital_answers_exactly_like_a_row_that_does_not_exist(world, client_for):
    client = client_for(world.qa_manager_of_a)

    hidden = client.get(f"/api/studies/{world.b.ids['study']}/")
    missing = client.get("/api/studies/999999/")

    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"


def test_the_hospital_filter_cannot_reach_a_hospital_the_user_does_not_see(world, client_for):
    client = client_for(world.qa_manager_of_a)

    for url in ("/api/studies/", "/api/machines/", "/api/reviews/"):
        assert listed_ids(client, f"{url}?hospital={world.b.hospital.id}") == [], url


def test_an_anonymous_client_is_refused_everywhere(world):
    client = APIClient()
    run = TrainingRunFactory()
    urls = [
        *LISTS.values(),
        *detail_urls(world.a),
        "/api/model-versions/",
        "/api/training-runs/",
        f"/api/training-runs/{run.id}/",
        "/api/auth/me/",
    ]

    for url in urls:
        response = client.get(url)
        assert response.status_code in (401, 403), url
        assert response.json()["error"]["code"] == "not_authenticated", url


@pytest.mark.parametrize("who", ["qa_manager_of_a", "expert_of_b", "nobody"])
def test_training_runs_are_refused_to_everyone_but_admins(world, client_for, who):
    client = client_for(getattr(world, who))
    run = TrainingRunFactory()

    for url in ("/api/training-runs/", f"/api/training-runs/{run.id}/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["error"] == {"code": "permission_denied", "message": "Only an admin may do this."}


def test_an_admin_reads_training_runs(world, client_for):
    run = TrainingRunFactory()
    client = client_for(world.admin)

    assert listed_ids(client, "/api/training-runs/") == [run.id]
    assert client.get(f"/api/training-runs/{run.id}/").json()["id"] == run.id


@pytest.mark.parametrize("who", USERS)
def test_every_logged_in_user_reads_model_versions(world, client_for, who):
    # The world already holds the masks' segmentation versions and the assessments' FUSQA versions.
    ModelVersionFactory()
    client = client_for(getattr(world, who))

    assert listed_ids(client, "/api/model-versions/") == sorted(ModelVersion.objects.values_list("id", flat=True))


def test_a_deactivated_user_sees_nothing(world):
    world.qa_manager_of_a.is_active = False
    world.qa_manager_of_a.save()
    client = APIClient()
    client.force_authenticate(world.qa_manager_of_a)

    assert listed_ids(client, "/api/studies/") == []
