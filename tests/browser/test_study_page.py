"""The study page: each frame with its mask and CRL callipers drawn on it, p(good), CRL and GA beside it,
and a frame that finishes while the page is open shown without a reload."""

import datetime
import math
import re

import numpy as np
import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from qa.models import JobStatus
from tests.browser.test_login import PASSWORD, log_in
from tests.factories import (
    AssessmentFactory,
    FrameFactory,
    HospitalFactory,
    MachineFactory,
    MaskFactory,
    MeasurementFactory,
    ProcessingJobFactory,
    StudyFactory,
    UserFactory,
    png_bytes,
)

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = 400, 300
SPACING_MM = 0.16
ROBINSON = lambda crl_mm: 8.052 * math.sqrt(crl_mm) + 23.73  # noqa: E731  (days)


def _ellipse(centre, semi_major, semi_minor, angle_deg):
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    theta = math.radians(angle_deg)
    dr, dc = rows - centre[0], cols - centre[1]
    along = dc * math.cos(theta) + dr * math.sin(theta)
    across = -dc * math.sin(theta) + dr * math.cos(theta)
    return (along / semi_major) ** 2 + (across / semi_minor) ** 2 <= 1.0


def _scan(fetus: np.ndarray, seed: int) -> np.ndarray:
    """A phantom B-mode frame: speckled fan, a dark amniotic sac, the fetus brighter inside it."""
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float64)
    apex_r, apex_c = -40.0, WIDTH / 2
    radius = np.hypot(rows - apex_r, cols - apex_c)
    angle = np.degrees(np.arctan2(cols - apex_c, rows - apex_r))
    fan = (np.abs(angle) < 38) & (radius < HEIGHT + 20)
    tissue = 95 + 30 * np.sin(rows / 23.0)
    sac = _ellipse((150, 200), 165, 100, 12)
    image = np.where(sac, 22.0, tissue)
    image = np.where(fetus, 150.0, image)
    image *= rng.rayleigh(0.8, size=image.shape)
    image = np.where(fan, image, 0)
    return np.clip(image, 0, 255).astype(np.uint8)


def _fetus(centre, semi_major, semi_minor, angle_deg):
    """A fetus mask and the calliper ends of its long axis, (row, col) at pixel centres."""
    mask = _ellipse(centre, semi_major, semi_minor, angle_deg)
    theta = math.radians(angle_deg)
    dr, dc = semi_major * math.sin(theta), semi_major * math.cos(theta)
    p1 = (round(centre[0] - dr), round(centre[1] - dc))
    p2 = (round(centre[0] + dr), round(centre[1] + dc))
    crl_mm = round(math.hypot(p2[0] - p1[0], p2[1] - p1[1]) * SPACING_MM, 1)
    return mask, p1, p2, crl_mm


def _results(frame, fetus, p_good: float) -> None:
    """What the pipeline writes for a finished frame: the model mask, its assessment and measurement."""
    mask_array, p1, p2, crl_mm = fetus
    mask = MaskFactory(
        frame=frame,
        area_px=int(mask_array.sum()),
        data=ContentFile(png_bytes(np.where(mask_array, 255, 0).astype(np.uint8)), name="mask.png"),
    )
    AssessmentFactory(mask=mask, p_good=p_good)
    MeasurementFactory(
        mask=mask,
        crl_mm=crl_mm,
        p1_row=p1[0],
        p1_col=p1[1],
        p2_row=p2[0],
        p2_col=p2[1],
        ga_days=round(ROBINSON(crl_mm), 2),
        formula="robinson",
        in_formula_range=True,
    )


def _frame(study, number: int, fetus, seed: int):
    return FrameFactory(
        study=study,
        frame_number=number,
        width=WIDTH,
        height=HEIGHT,
        spacing_row_mm=SPACING_MM,
        spacing_col_mm=SPACING_MM,
        pixels=ContentFile(png_bytes(_scan(fetus[0], seed)), name="frame.png"),
    )


@pytest.fixture
def study_in_progress(db):
    hospital = HospitalFactory(name="St Mary's Maternity Unit", slug="st-marys")
    machine = MachineFactory(hospital=hospital, manufacturer="Phantom Medical", model_name="PX-7")
    manager = UserFactory(username="ana.qa", role="qa_manager", member_of=[hospital])
    study = StudyFactory(hospital=hospital, machine=machine, reported_ga_days=80.0, exam_date=datetime.date(2025, 3, 4))

    fetus_one = _fetus((150, 200), 125, 50, 15)  # 250 px ≈ 40 mm
    first = _frame(study, 1, fetus_one, seed=1)
    _results(first, fetus_one, p_good=0.92)
    ProcessingJobFactory(frame=first, status=JobStatus.DONE)

    fetus_two = _fetus((160, 195), 120, 50, -25)  # 240 px ≈ 38.4 mm
    second = _frame(study, 2, fetus_two, seed=2)
    second_job = ProcessingJobFactory(frame=second, status=JobStatus.RUNNING)

    third = _frame(study, 3, _fetus((150, 200), 100, 40, 0), seed=3)
    ProcessingJobFactory(frame=third, status=JobStatus.FAILED, reason="No fetus found: the segmentation mask is empty.")
    return manager, study, (first, fetus_one), (second, fetus_two, second_job), third


def _pixel(page, card, x: float, y: float) -> list[int]:
    """The canvas pixel at (x, y) in canvas space."""
    return card.locator("canvas").evaluate(
        "(canvas, [x, y]) => Array.from(canvas.getContext('2d').getImageData(Math.round(x), Math.round(y), 1, 1).data)",
        [x, y],
    )


def _to_canvas(point, scale: float) -> tuple[float, float]:
    row, col = point
    return ((col + 0.5) * scale, (row + 0.5) * scale)


def test_the_study_page_draws_each_frame_and_follows_a_job_to_done_without_reloading(
    page, study_in_progress, screenshot_dir
):
    manager, study, (first, fetus_one), (second, fetus_two, second_job), third = study_in_progress

    # The first load of a fresh browser took over 10 s on a loaded CI machine (on main too).
    page.goto(f"/studies/{study.id}", timeout=60_000)
    log_in(page, manager.username, PASSWORD)
    expect(page).to_have_url(re.compile(rf"/studies/{study.id}$"))
    expect(page.get_by_role("heading", level=1, name=f"Study #{study.id}")).to_be_visible()
    page.evaluate("window.__sameDocument = true")

    summary = page.locator(".study-summary")
    expect(summary).to_contain_text("St Mary's Maternity Unit")
    expect(summary).to_contain_text("Phantom Medical PX-7")
    expect(summary).to_contain_text("2025-03-04")
    expect(summary).to_contain_text("11w 3d (80 days)")

    # A multi-frame study: a filmstrip of thumbnails, worst first (frames without a result last), one frame
    # shown in full.
    thumbnails = page.locator(".filmstrip-item")
    expect(thumbnails).to_have_count(3)
    expect(thumbnails.nth(0)).to_have_attribute("data-frame-id", str(first.id))
    expect(thumbnails.nth(0)).to_have_attribute("aria-pressed", "true")
    for image in thumbnails.locator("img").all():
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") == 160
    cards = page.locator(".frame-card")
    expect(cards).to_have_count(1)
    one = cards.first
    expect(one).to_have_attribute("data-frame-id", str(first.id))

    def choose(frame):
        page.locator(f'.filmstrip-item[data-frame-id="{frame.id}"]').click()
        expect(cards.first).to_have_attribute("data-frame-id", str(frame.id))
        return cards.first

    crl_one = fetus_one[3]
    ga_one = ROBINSON(crl_one)
    expect(one.locator(".status")).to_have_text("Done")
    expect(one.locator(".p-good")).to_have_text("0.92")
    expect(one.locator(".quality")).to_have_text("Good")
    expect(one.locator(".crl")).to_have_text(f"{crl_one:.1f} mm")
    expect(one.locator(".ga")).to_have_text(f"{int(ga_one) // 7}w {int(ga_one) % 7}d")
    expect(one.locator(".formula")).to_have_text("(Robinson 1975)")
    expect(one.locator(".ga-difference")).to_have_text(f"−{80 - round(ga_one, 1):.1f} d")
    expect(one.locator("canvas")).to_have_attribute("data-drawn", "image mask callipers")

    # The overlay is really on the image: the calliper midpoint is calliper yellow, and a mask pixel off the
    # line is tinted teal (green and blue well above red).
    scale = 960 / WIDTH
    _, p1, p2, _ = fetus_one
    mid = _to_canvas(((p1[0] + p2[0]) / 2, (p1[1] + p2[1]) / 2), scale)
    r, g, b, _ = _pixel(page, one, *mid)
    assert r > 180 and g > 150 and b < 120, (r, g, b)
    x, y = _to_canvas((150 + 30, 200 - 6), scale)  # inside the fetus, below the long axis
    r, g, b, _ = _pixel(page, one, x, y)
    assert g > r + 40 and b > r + 40, (r, g, b)
    x, y = _to_canvas((20, 200), scale)  # tissue above the sac, outside the mask: untinted grey
    r, g, b, _ = _pixel(page, one, x, y)
    assert abs(r - g) < 8 and abs(g - b) < 8, (r, g, b)

    three = choose(third)
    expect(three.locator(".status")).to_have_text("Failed")
    expect(three.get_by_role("alert")).to_contain_text("No fetus found: the segmentation mask is empty.")
    two = choose(second)
    expect(two.locator(".status")).to_have_text("Running")
    expect(two.locator(".p-good")).to_have_count(0)
    expect(two.locator("canvas")).to_have_attribute("data-drawn", "image")
    expect(page.locator(".live-status")).to_have_text("1 of 3 frames still processing; updating live…")

    # The pipeline finishes frame 2 while the page is open: results first, then the job's status.
    _results(second, fetus_two, p_good=0.31)
    second_job.status = JobStatus.DONE
    second_job.save(update_fields=["status"])

    crl_two = fetus_two[3]
    ga_two = ROBINSON(crl_two)
    expect(two.locator(".status")).to_have_text("Done")
    expect(two.locator(".p-good")).to_have_text("0.31")
    expect(two.locator(".quality")).to_have_text("Poor")
    expect(two.locator(".crl")).to_have_text(f"{crl_two:.1f} mm")
    expect(two.locator(".ga")).to_have_text(f"{int(ga_two) // 7}w {int(ga_two) % 7}d")
    expect(two.locator(".formula")).to_have_text("(Robinson 1975)")
    # A poor mask's GA is shown, muted, as not fit for dating.
    expect(two.locator(".dating-unfit")).to_have_text(
        "Not fit for dating. FUSQA judged the mask poor: its CRL, and so this GA, may be wrong."
    )
    expect(two.locator("canvas")).to_have_attribute("data-drawn", "image mask callipers")
    expect(page.locator(".live-status")).to_have_text("All 3 frames processed; 1 failed.")
    # Now the worst frame, frame 2 leads the filmstrip, and stays the one shown.
    expect(thumbnails.nth(0)).to_have_attribute("data-frame-id", str(second.id))
    expect(cards.first).to_have_attribute("data-frame-id", str(second.id))
    assert page.evaluate("window.__sameDocument") is True, "the page reloaded"

    # Polling has stopped: no more study requests once every frame is final.
    polls: list[str] = []
    page.on("request", lambda request: polls.append(request.url) if "/api/studies/" in request.url else None)
    page.wait_for_timeout(2500)
    assert polls == []

    page.screenshot(path=str(screenshot_dir / "study.png"), full_page=True)


def test_the_studies_list_links_to_each_study(page, study_in_progress):
    manager, study, *_ = study_in_progress

    page.goto("/studies")
    log_in(page, manager.username, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Studies")).to_be_visible()
    expect(page.get_by_role("link", name="Studies", exact=True)).to_have_attribute("aria-current", "page")
    row = page.locator("tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td")).to_have_text(
        [
            f"Study #{study.id}", "St Mary's Maternity Unit", "Phantom Medical PX-7", "2025-03-04", "11w 3d", "3",
            "Unknown (1 good, 0 poor, 1 unknown)", "0.92", "In progress (1)",
        ]
    )  # fmt: skip

    row.get_by_role("link", name=f"Study #{study.id}").click()
    expect(page).to_have_url(re.compile(rf"/studies/{study.id}$"))
    expect(page.locator(".filmstrip-item")).to_have_count(3)
    expect(page.locator(".frame-card")).to_have_count(1)
