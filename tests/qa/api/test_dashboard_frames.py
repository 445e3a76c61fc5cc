"""GET /api/dashboard/frames/: the frames behind a dashboard point or row, worst first, scoped like the dashboard."""

import pytest

from qa.models import Frame
from qa.services.rollups import quality_rollups_rebuild
from tests.qa.dashboard_data import build_dashboard_world

pytestmark = pytest.mark.django_db

MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def world():
    built = build_dashboard_world()
    quality_rollups_rebuild()
    return built


def frames_of(client, **query):
    response = client.get("/api/dashboard/frames/", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_the_frames_of_a_hospitals_month_are_the_ones_the_dashboard_counts_worst_first(world, client_for):
    client = client_for(world.qa_manager_of_a)
    dashboard = client.get("/api/dashboard/", {"hospital": world.a.id, **MARCH}).json()

    body = frames_of(client, hospital=world.a.id, **MARCH)

    assert body["count"] == dashboard["totals"]["frames"] == 10
    p_goods = [frame["p_good"] for frame in body["results"]]
    # Two poor (0.1), two unknown (0.5 assessed; null for the failed frame, last), six good (0.9, one 0.8).
    assert p_goods == [0.1, 0.1, 0.5, 0.8, 0.9, 0.9, 0.9, 0.9, 0.9, None]
    assert [frame["verdict"] for frame in body["results"]][:3] == ["poor", "poor", "unknown"]
    assert body["results"][-1]["mask"] is None
    assert body["results"][-1]["mask_image_url"] is None


def test_a_poor_week_of_one_machine_drills_down_to_its_poor_frames_with_their_masks(world, client_for):
    body = frames_of(
        client_for(world.qa_manager_of_a),
        machine=world.m1.id,
        verdict="poor",
        **{"from": "2026-03-02", "to": "2026-03-08"},
    )

    assert body["count"] == 2
    first = body["results"][0]
    frame = Frame.objects.get(pk=first["id"])
    mask = frame.masks.get()
    judge = mask.assessments.get().model_version
    assert first == {
        "id": frame.id,
        "study": frame.study_id,
        "frame_number": frame.frame_number,
        "hospital": {"id": world.a.id, "name": "Alpha General", "slug": "alpha"},
        "machine": {"id": world.m1.id, "manufacturer": "GE", "model_name": "Voluson E8"},
        "exam_date": "2026-03-04",
        "counted_on": "2026-03-04",
        "verdict": "poor",
        "p_good": 0.1,
        "mask": mask.id,
        "judged_by": judge.id,
        "judged_by_version": judge.version,
        "reasons": [],
        "width": 64,
        "height": 48,
        "image_url": f"/api/frames/{frame.id}/image/",
        "mask_image_url": f"/api/masks/{mask.id}/image/",
    }
    # Equal p(good): the newer day first.
    assert body["results"][1]["counted_on"] == "2026-03-02"


def test_a_reassessed_frame_counts_with_its_latest_verdict_and_mask(world, client_for):
    body = frames_of(client_for(world.admin), machine=world.m2.id, verdict="good", **MARCH)

    assert [frame["p_good"] for frame in body["results"]] == [0.8, 0.9, 0.9]
    reassessed = Frame.objects.get(pk=body["results"][0]["id"])
    assert body["results"][0]["mask"] == reassessed.masks.get(version=2).id


def test_frames_of_studies_without_a_machine_and_without_an_exam_date_count_on_their_upload_day(world, client_for):
    body = frames_of(client_for(world.admin), hospital=world.a.id, unknown_machine="true", **MARCH)

    assert [(f["machine"], f["exam_date"], f["counted_on"]) for f in body["results"]] == [(None, None, "2026-03-03")]


def test_an_admin_without_a_hospital_gets_every_hospitals_frames(world, client_for):
    assert frames_of(client_for(world.admin), **MARCH)["count"] == 11


def test_a_qa_manager_gets_only_their_hospitals_frames_and_404_for_anothers(world, client_for):
    client = client_for(world.qa_manager_of_b)

    assert frames_of(client, **MARCH)["count"] == 1
    assert client.get("/api/dashboard/frames/", {"hospital": world.a.id}).status_code == 404
    assert client.get("/api/dashboard/frames/", {"machine": world.m1.id}).status_code == 404


@pytest.mark.parametrize(
    ("query", "named"),
    [({"verdict": "bad"}, "verdict"), ({"from": "2026-04-01", "to": "2026-03-01"}, "from")],
)
def test_bad_filters_are_a_400_naming_the_parameter(world, client_for, query, named):
    response = client_for(world.admin).get("/api/dashboard/frames/", query)

    assert response.status_code == 400
    assert named in response.json()["error"]["message"]


def test_a_machine_and_unknown_machine_together_are_a_400(world, client_for):
    response = client_for(world.admin).get(
        "/api/dashboard/frames/", {"machine": world.m1.id, "unknown_machine": "true"}
    )

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "unknown_machine"


def test_a_frame_without_an_exam_date_counts_on_its_upload_day_in_utc_and_no_other(world, client_for):
    client = client_for(world.admin)

    def undated(day):
        return frames_of(client, hospital=world.a.id, unknown_machine="true", **{"from": day, "to": day})["count"]

    assert (undated("2026-03-02"), undated("2026-03-03"), undated("2026-03-04")) == (0, 1, 0)


def test_an_unknown_frame_in_the_drill_down_says_why_and_a_failed_one_that_it_failed(world, client_for):
    # Given: the unknown assessment of the month says why (the world's rows carry no reason yet)
    from qa.models import Assessment

    Assessment.objects.filter(label="unknown").update(reasons=["fragmented: 3 pieces, 12% of the mask outside"])

    body = frames_of(client_for(world.qa_manager_of_a), hospital=world.a.id, verdict="unknown", **MARCH)

    reasons = [frame["reasons"] for frame in body["results"]]
    assert reasons == [["fragmented: 3 pieces, 12% of the mask outside"], ["processing failed"]]
    assert body["results"][0]["verdict"] == "unknown"
