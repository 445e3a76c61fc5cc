"""The upload page: the form checks what it can before sending, then shows the frames the server made."""

import re

import numpy as np
import pytest
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from tests.browser.test_login import PASSWORD, log_in
from tests.factories import HospitalFactory, UserFactory, png_bytes

pytestmark = pytest.mark.browser


@pytest.fixture
def manager_page(page, db):
    hospital = HospitalFactory(name="St Mary's Maternity Unit", slug="st-marys")
    manager = UserFactory(username="ana.qa", role="qa_manager", member_of=[hospital])
    page.goto("/upload")
    log_in(page, manager.username, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Upload scans")).to_be_visible()
    return page


def test_a_zero_spacing_is_refused_next_to_its_field_before_anything_is_sent(manager_page, tmp_path, screenshot_dir):
    page = manager_page
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if "/api/uploads/" in request.url else None)
    image = tmp_path / "frame.png"
    image.write_bytes(png_bytes(np.zeros((48, 64), np.uint8)))

    expect(page.get_by_label("Hospital")).to_have_value(re.compile(r"^\d+$"))
    page.get_by_label("Scan file").set_input_files(str(image))
    page.get_by_label("Between rows (mm)").fill("0")
    page.get_by_label("Between columns (mm)").fill("-0.2")
    page.get_by_role("button", name="Upload").click()

    expect(page.get_by_role("alert")).to_contain_text("Correct the marked fields")
    row = page.get_by_label("Between rows (mm)")
    expect(row).to_have_attribute("aria-invalid", "true")
    expect(row).to_be_focused()
    expect(page.locator("#upload-spacing-row-error")).to_have_text("The spacing must be greater than 0 mm.")
    expect(page.locator("#upload-spacing-col-error")).to_have_text("The spacing must be greater than 0 mm.")
    assert uploads == []
    page.screenshot(path=str(screenshot_dir / "upload-invalid.png"), full_page=True)


def _upload_api_exists() -> bool:
    try:
        resolve("/api/uploads/")
    except Resolver404:
        return False
    return True


def test_an_uploaded_png_shows_its_frame_with_the_spacing_entered(manager_page, tmp_path, screenshot_dir):
    if not _upload_api_exists():
        pytest.skip("POST /api/uploads/ is not routed yet")
    page = manager_page
    image = tmp_path / "frame.png"
    image.write_bytes(png_bytes(np.full((48, 64), 90, np.uint8)))

    page.get_by_label("Scan file").set_input_files(str(image))
    page.get_by_label("Between rows (mm)").fill("0.25")
    page.get_by_label("Between columns (mm)").fill("0.3")
    page.get_by_role("button", name="Upload").click()

    result = page.locator(".upload-result")
    expect(result.get_by_role("heading", name="Uploaded")).to_be_visible()
    expect(result.locator("tbody tr")).to_have_count(1)
    expect(result.locator("tbody tr td").nth(1)).to_have_text("64 × 48")
    expect(result.locator("tbody tr td").nth(2)).to_have_text("0.250 × 0.300")
    expect(result.locator("tbody tr td").nth(3)).to_have_text("Entered at upload")
    expect(result.get_by_role("status")).to_have_text(re.compile(r"^1 frame added to study #\d+, queued for"))
    page.screenshot(path=str(screenshot_dir / "upload-done.png"), full_page=True)


def test_a_file_the_server_cannot_read_shows_its_message_in_an_alert(manager_page, tmp_path):
    if not _upload_api_exists():
        pytest.skip("POST /api/uploads/ is not routed yet")
    page = manager_page
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"this is not a PNG at all")

    page.get_by_label("Scan file").set_input_files(str(broken))
    page.get_by_label("Between rows (mm)").fill("0.25")
    page.get_by_label("Between columns (mm)").fill("0.25")
    page.get_by_role("button", name="Upload").click()

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The upload failed")
    expect(alert).to_contain_text("The file is neither DICOM, PNG nor JPEG.")
    expect(page.locator(".upload-result")).to_be_empty()
