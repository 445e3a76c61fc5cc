"""GET /api/frames/{id}/thumbnail/: the study page's filmstrip asks for small images, not the full frames."""

import io

import numpy as np
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from qa.models import Role
from tests.factories import FrameFactory, UserFactory, png_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def frame():
    frame = FrameFactory(width=400, height=300)
    pixels = np.tile(np.arange(400, dtype=np.uint16) % 256, (300, 1)).astype(np.uint8)
    frame.pixels.save("frame.png", ContentFile(png_bytes(pixels)))
    return frame


@pytest.fixture
def manager(frame):
    return UserFactory(role=Role.QA_MANAGER, member_of=[frame.hospital])


def test_a_thumbnail_is_the_frame_at_most_160_pixels_wide_or_high(frame, manager, client_for):
    response = client_for(manager).get(f"/api/frames/{frame.id}/thumbnail/", HTTP_ACCEPT="image/png")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.mode, image.size) == ("PNG", "L", (160, 120))


def test_a_small_frame_is_not_enlarged(manager, client_for, frame):
    frame.pixels.save("small.png", ContentFile(png_bytes(np.zeros((30, 40), np.uint8))))

    response = client_for(manager).get(f"/api/frames/{frame.id}/thumbnail/")

    assert Image.open(io.BytesIO(response.content)).size == (40, 30)


def test_a_thumbnail_of_another_hospital_answers_404(frame, client_for):
    outsider = UserFactory(role=Role.QA_MANAGER, member_of=[FrameFactory().hospital])

    response = client_for(outsider).get(f"/api/frames/{frame.id}/thumbnail/", HTTP_ACCEPT="image/png")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_missing_image_file_answers_404(frame, manager, client_for):
    frame.pixels.storage.delete(frame.pixels.name)

    response = client_for(manager).get(f"/api/frames/{frame.id}/thumbnail/")

    assert response.status_code == 404
