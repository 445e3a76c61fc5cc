"""POST/GET /api/training-sets/ and its download: every reviewed item frozen into the documented zip."""

import hashlib
import io
import json
import re
import zipfile
from datetime import date

import numpy as np
import pytest

from qa.models import AuditAction, AuditEvent, Role, TrainingSet
from tests.factories import UserFactory
from tests.qa.reviews.conftest import HEIGHT, WIDTH, fetus, mask_png, waiting_item
from tests.qa.trainset.conftest import read
from workers.ml.train.training_set import read_manifest, read_training_set, split_of_study

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewed(ward, lease, review, no_known_answers):
    """Three reviewed items: one good, one poor with a correction, one unusable; and one never reviewed."""
    first = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.5, exam_date=date(2026, 3, 14))
    second = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.55, model_mask=fetus(length_px=110))
    third = waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.6)
    waiting_item(hospital=ward.hospital, machine=ward.machine, p_good=0.99)
    assert read(lease, review, ward.expert, "good") == first.id
    assert read(lease, review, ward.expert, "poor", mask=mask_png(fetus())) == second.id
    assert read(lease, review, ward.expert, "unusable") == third.id
    return first, second, third


def download(client, training_set_id) -> bytes:
    response = client.get(f"/api/training-sets/{training_set_id}/download/")
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    assert re.match(r'attachment; filename="fusqa-training-set-v\d+\.zip"', response["Content-Disposition"])
    return b"".join(response.streaming_content)


def test_a_freeze_writes_every_reviewed_item_and_the_reader_takes_it_back(client_for, admin, ward, reviewed, tmp_path):
    first, second, third = reviewed

    response = client_for(admin).post("/api/training-sets/", {}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    stored = TrainingSet.objects.get()
    assert (body["id"], body["version"], body["items"]) == (stored.id, 1, 3)
    assert body["summary"]["labels"] == {"good": 1, "poor": 1, "excluded": 1}
    assert body["download_url"] == f"/api/training-sets/{stored.id}/download/"

    data = download(client_for(admin), stored.id)
    assert hashlib.sha256(data).hexdigest() == stored.sha256 == body["sha256"]
    path = tmp_path / "set.zip"
    path.write_bytes(data)
    records = read_manifest(path)
    assert [r["mask"]["id"] for r in records] == [first.id, second.id, third.id]
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        for record in records:
            for entry in [record["frame"], record["mask"], *record["corrections"]]:
                assert hashlib.sha256(archive.read(entry["path"])).hexdigest() == entry["sha256"]
    assert names == {"manifest.jsonl"} | {
        path
        for r in records
        for path in [r["frame"]["path"], r["mask"]["path"], *[c["path"] for c in r["corrections"]]]
    }

    items = read_training_set(path, include_excluded=True)
    assert [item.label for item in items] == ["good", "poor", "excluded"]
    assert items[0].image.shape == (HEIGHT, WIDTH) and items[0].mask.sum() == fetus().sum()
    corrected = items[1]
    assert corrected.reference is not None and (corrected.reference == fetus()).all()
    assert len(read_training_set(path)) == 2  # excluded items are left out by default


def test_a_manifest_line_holds_the_documented_keys_and_no_dates(client_for, admin, ward, reviewed, tmp_path):
    first, second, _ = reviewed
    set_id = client_for(admin).post("/api/training-sets/").json()["id"]
    path = tmp_path / "set.zip"
    path.write_bytes(download(client_for(admin), set_id))

    records = {r["mask"]["id"]: r for r in read_manifest(path)}
    plain, corrected = records[first.id], records[second.id]
    assert plain["exam_month"] == "2026-03"
    assert plain["hospital"] == "alpha" and plain["machine"] == ward.machine.id
    assert plain["spacing_mm"] == [0.3, 0.3] and plain["reported_ga_days"] == 80.0
    assert plain["split"] == split_of_study(first.frame.study_id)
    assert plain["reviews"][0]["expert"] == "expert_one" and plain["reviews"][0]["verdict"] == "good"
    assert plain["agreement"] == {
        "reads": 1,
        "verdicts_agree": None,
        "correction_dice": None,
        "crl_difference_mm": None,
    }
    assert plain["corrections"] == [] and plain["reference_mask_id"] is None
    correction = corrected["corrections"][0]
    assert corrected["reference_mask_id"] == correction["id"] == corrected["reviews"][0]["corrected_mask_id"]
    assert correction["expert"] == "expert_one"
    assert corrected["reviews"][0]["label_dice"] == pytest.approx(second.reviews.get().label_dice)
    text = json.dumps(list(records.values()))
    assert "2026-03-14" not in text and not re.search(r"\d{4}-\d{2}-\d{2}", text)


def test_double_reads_carry_their_agreement(client_for, admin, ward, lease, review, settings, tmp_path):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 1.0
    settings.FUSQA_KNOWN_ANSWER_RATE = 0.0
    item = waiting_item(hospital=ward.hospital, machine=ward.machine)
    read(lease, review, ward.expert, "poor", mask=mask_png(fetus()))
    read(lease, review, ward.colleague, "poor", mask=mask_png(fetus(shift_px=6)))

    set_id = client_for(admin).post("/api/training-sets/").json()["id"]
    path = tmp_path / "set.zip"
    path.write_bytes(download(client_for(admin), set_id))

    (record,) = read_manifest(path)
    assert record["mask"]["id"] == item.id and len(record["corrections"]) == 2
    agreement = record["agreement"]
    assert agreement["reads"] == 2 and agreement["verdicts_agree"] is True
    a, b = fetus(), fetus(shift_px=6)
    assert agreement["correction_dice"] == pytest.approx(2 * (a & b).sum() / (a.sum() + b.sum()), abs=1e-6)
    assert agreement["crl_difference_mm"] == pytest.approx(0.0, abs=0.5)
    assert record["reference_mask_id"] == record["corrections"][-1]["id"]


def test_each_freeze_is_a_new_version_and_both_are_listed(client_for, admin, reviewed):
    client = client_for(admin)
    one = client.post("/api/training-sets/").json()
    two = client.post("/api/training-sets/").json()

    assert (one["version"], two["version"]) == (1, 2)
    listed = client.get("/api/training-sets/").json()
    assert [row["version"] for row in listed["results"]] == [2, 1]
    assert client.get(f"/api/training-sets/{one['id']}/").json()["sha256"] == one["sha256"]


def test_freezing_and_downloading_are_in_the_audit_log(client_for, admin, ward, reviewed):
    client = client_for(admin)
    set_id = client.post("/api/training-sets/", REMOTE_ADDR="10.0.0.7").json()["id"]
    download(client, set_id)

    events = list(AuditEvent.objects.filter(action=AuditAction.TRAINING_SET_EXPORTED).order_by("id"))
    assert [e.detail["step"] for e in events] == ["frozen", "downloaded"]
    assert all((e.actor, e.target_type, e.target_id) == (admin, "trainingset", str(set_id)) for e in events)
    assert events[0].detail["masks"] == 3 and events[0].detail["hospitals"] == [ward.hospital.id]
    assert events[0].detail["format"] == "zip" and events[0].source == "10.0.0.7"


def test_an_empty_freeze_is_a_409_that_says_why_and_stores_nothing(client_for, admin, ward):
    waiting_item(hospital=ward.hospital, machine=ward.machine)  # processed, never reviewed

    response = client_for(admin).post("/api/training-sets/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_reviewed"
    assert "Nothing has been reviewed" in response.json()["error"]["message"]
    assert TrainingSet.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.TRAINING_SET_EXPORTED).exists()


def test_parameters_are_refused_rather_than_ignored(client_for, admin, reviewed):
    response = client_for(admin).post("/api/training-sets/", {"hospital": 1}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unexpected_fields" and "hospital" in response.json()["error"]["message"]
    assert TrainingSet.objects.count() == 0


@pytest.mark.parametrize("role", [Role.EXPERT, Role.QA_MANAGER])
def test_only_admins_may_freeze_list_or_download(client_for, admin, ward, reviewed, role):
    set_id = client_for(admin).post("/api/training-sets/").json()["id"]
    other = UserFactory(role=role, member_of=[ward.hospital])
    client = client_for(other)
    before = AuditEvent.objects.count()

    for response in (
        client.post("/api/training-sets/"),
        client.get("/api/training-sets/"),
        client.get(f"/api/training-sets/{set_id}/"),
        client.get(f"/api/training-sets/{set_id}/download/"),
    ):
        assert response.status_code == 403, response.content
        assert response.json()["error"]["message"] == "Only an admin may do this."
    assert TrainingSet.objects.count() == 1 and AuditEvent.objects.count() == before


def test_an_unknown_set_is_a_404_naming_it(client_for, admin):
    for path in ("/api/training-sets/999/", "/api/training-sets/999/download/"):
        response = client_for(admin).get(path)
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "No training set with id 999."
    assert client_for(admin).get("/api/training-sets/abc/download/").status_code == 404


def test_the_zip_holds_plain_pngs_readable_without_the_reader(client_for, admin, reviewed, tmp_path):
    from PIL import Image

    set_id = client_for(admin).post("/api/training-sets/").json()["id"]
    with zipfile.ZipFile(io.BytesIO(download(client_for(admin), set_id))) as archive:
        masks = [name for name in archive.namelist() if name.startswith("masks/")]
        for name in masks:
            image = Image.open(io.BytesIO(archive.read(name)))
            assert image.mode == "L" and set(np.unique(np.asarray(image)).tolist()) <= {0, 255}


def test_the_commands_freeze_a_set_and_check_it_against_its_manifest(ward, reviewed, tmp_path):
    from io import StringIO

    from django.core.management import call_command

    out, checked = StringIO(), StringIO()
    call_command("freeze_training_set", "--out", str(tmp_path / "set.zip"), stdout=out)
    call_command("check_training_set", str(tmp_path / "set.zip"), stdout=checked)

    stored = TrainingSet.objects.get()
    assert "training set v1: 3 items" in out.getvalue()
    assert checked.getvalue().startswith(f"OK {tmp_path / 'set.zip'}: 3 items, 7 files checked against their sha256")
    assert f"zip sha256 {stored.sha256}" in checked.getvalue()
    steps = AuditEvent.objects.filter(action=AuditAction.TRAINING_SET_EXPORTED).values_list("detail__step", "source")
    assert list(steps.order_by("id")) == [
        ("frozen", "command:freeze_training_set"),
        ("downloaded", "command:freeze_training_set"),
    ]


def test_the_check_refuses_a_zip_whose_file_does_not_match_its_digest(client_for, admin, reviewed, tmp_path):
    from django.core.management import CommandError, call_command

    set_id = client_for(admin).post("/api/training-sets/").json()["id"]
    good = zipfile.ZipFile(io.BytesIO(download(client_for(admin), set_id)))
    tampered = tmp_path / "tampered.zip"
    with zipfile.ZipFile(tampered, "w") as archive:
        for name in good.namelist():
            data = good.read(name)
            archive.writestr(name, data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("frames/") else data)

    with pytest.raises(CommandError, match="does not match its sha256"):
        call_command("check_training_set", str(tampered))
