"""Memory is bounded by bytes: a deflate bomb is refused before it inflates, an image over the pixel
byte budget is refused before it is decoded, and valid deflated files are read, not called truncated."""

import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pydicom
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image
from pydicom.data import get_testdata_file

from qa.models import Frame
from qa.services.dicom_decode import ImageLimits, dicom_header
from tests.factories import HospitalFactory, UserFactory
from tests.pipeline.processes import database_url
from tests.qa.ingest.big_dicoms import deflate_bomb, deflated, rle_rgb32
from tests.qa.ingest.conftest import assert_error
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region
from tests.services import require

ROOT = Path(__file__).resolve().parents[3]
MB = 1_000_000


def stored_png(frame_id: int) -> np.ndarray:
    with Frame.objects.get(id=frame_id).pixels.open("rb") as handle:
        return np.asarray(Image.open(handle))


def measured_upload(path: Path, *, user, hospital) -> dict:
    """The upload made by a fresh process on this test's database (see measured_upload.py)."""
    # A second process must reach the test database: an in-memory SQLite one cannot be shared.
    require("PostgreSQL", connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see .ci/run)")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.test",
        "DATABASE_URL": database_url(),
        "FUSQA_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": "memory://",
    }
    command = [sys.executable, "-m", "tests.qa.ingest.measured_upload", str(user.id), str(hospital.id), str(path)]
    out = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.django_db(transaction=True)
def test_a_deflate_bomb_is_refused_within_a_second_and_the_web_process_grows_by_at_most_100_mb(tmp_path):
    hospital = HospitalFactory()
    user = UserFactory(role="qa_manager", member_of=[hospital])
    bomb = tmp_path / "bomb.dcm"
    bomb.write_bytes(deflate_bomb(inflated_pixel_bytes=1 << 30))  # 1 GiB of zeros behind a 64 x 64 header
    assert bomb.stat().st_size < 1.2 * MB

    result = measured_upload(bomb, user=user, hospital=hospital)

    assert (result["status"], result["code"]) == (400, "image_too_large"), result
    assert "inflates past" in result["message"]
    assert result["seconds"] < 1.0
    assert result["peak_rss"] - result["rss_before"] <= 100 * MB, result
    # Only the measuring process's own warm-up upload was stored.
    assert Frame.objects.count() == 1


def test_a_valid_deflated_dicom_is_accepted_with_its_pixels(upload):
    ramp = (np.arange(256 * 256) // 512 % 256).astype(np.uint8).reshape(256, 256)
    data = deflated(dicom_dataset(pixels=ramp, regions=[ultrasound_region(box=(0, 0, 255, 255))]))
    assert len(data) < ramp.nbytes // 10  # compressed well below what it inflates to

    response = upload(data)

    assert response.status_code == 201, response.content
    assert np.array_equal(stored_png(response.json()["frames"][0]["id"]), ramp)


def test_pydicoms_deflated_example_is_accepted(upload):
    path = Path(get_testdata_file("image_dfl.dcm"))

    response = upload(path.read_bytes(), spacing_mm="0.3")

    assert response.status_code == 201, response.content
    assert np.array_equal(stored_png(response.json()["frames"][0]["id"]), pydicom.dcmread(path).pixel_array)


def test_a_deflated_dicom_cut_short_is_refused_as_truncated(upload, nothing_stored):
    ramp = (np.arange(256 * 256) // 512 % 256).astype(np.uint8).reshape(256, 256)
    data = deflated(dicom_dataset(pixels=ramp, regions=[ultrasound_region(box=(0, 0, 255, 255))]))

    response = upload(data[: len(data) - 40])

    assert_error(response, 400, "invalid_dicom", "truncated")
    nothing_stored()


def test_the_issues_32_bit_rgb_rle_file_is_refused_by_its_pixel_bytes_before_decoding(upload, nothing_stored):
    data = rle_rgb32(rows=4096, cols=4096, frames=2)  # 6.3 MB sent, 384 MiB of pixels
    assert len(data) < 7 * MB

    response = upload(data)

    assert_error(response, 400, "image_too_large", f"needs {4096 * 4096 * 3 * 4 * 2} bytes of pixels")
    nothing_stored()


def test_the_pixel_budget_counts_samples_and_bytes_per_sample(upload, nothing_stored, settings):
    data = rle_rgb32(rows=32, cols=256, frames=1)
    pixel_bytes = 32 * 256 * 3 * 4
    settings.FUSQA_MAX_PIXEL_BYTES = pixel_bytes - 1

    refused = upload(data)

    assert_error(refused, 400, "image_too_large", f"the limit is {pixel_bytes - 1} bytes")
    nothing_stored()

    settings.FUSQA_MAX_PIXEL_BYTES = pixel_bytes
    accepted = upload(data)

    assert accepted.status_code == 201, accepted.content
    # 32-bit samples are stretched to 8 bits: the darker run of 128 columns to 0, the brighter to 255.
    png = stored_png(accepted.json()["frames"][0]["id"])
    assert (png[:, :128] == 0).all() and (png[:, 128:] == 255).all()


def test_a_sixteen_bit_cine_keeps_one_scale_across_frames_when_decoded_frame_by_frame(upload):
    pixels = np.stack([np.full((32, 48), v, np.uint16) for v in (1000, 3000, 5000)])
    ds = dicom_dataset(pixels=pixels, frames=3, regions=[ultrasound_region()])
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, 16, 15
    ds.PixelData = pixels.tobytes()

    response = upload(dicom_bytes(ds))

    assert response.status_code == 201, response.content
    greys = [int(stored_png(f["id"])[0, 0]) for f in response.json()["frames"]]
    assert greys == [0, 128, 255]


def test_the_stored_copy_of_a_compressed_dicom_is_deflated_losslessly_and_reads_back_through_ingest(upload, client_for):
    ramp = (np.arange(2 * 256 * 256) // 512 % 256).astype(np.uint8).reshape(2, 256, 256)
    ds = dicom_dataset(pixels=ramp, frames=2, regions=[ultrasound_region(box=(0, 0, 255, 255))])

    response = upload(deflated(ds))

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    stored_bytes = frame.source_file.read()
    stored = pydicom.dcmread(frame.source_file.path)
    assert stored.file_meta.TransferSyntaxUID == pydicom.uid.DeflatedExplicitVRLittleEndian
    assert np.array_equal(stored.pixel_array, ramp)
    assert len(stored_bytes) < ramp.nbytes // 20
    other = HospitalFactory()
    again = client_for(UserFactory(role="qa_manager", member_of=[other])).post(
        "/api/uploads/",
        {"file": SimpleUploadedFile("stored.dcm", stored_bytes), "hospital": other.id},
        format="multipart",
    )
    assert again.status_code == 201, again.content
    assert [stored_png(f["id"]).tolist() for f in again.json()["frames"]] == [f.tolist() for f in ramp]


def test_a_header_only_read_of_a_deflate_bomb_inflates_no_pixel_data():
    bomb = deflate_bomb(inflated_pixel_bytes=1 << 30)
    tracemalloc.start()
    try:
        header = dicom_header(bomb, limits=ImageLimits(max_side=4096, max_frames=512))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert (header.Rows, header.Columns) == (64, 64) and "PixelData" not in header
    assert header.SOPInstanceUID
    assert peak < 20 * MB
