"""The review workspace: an expert labels three items with the keyboard, paints a correction on one, and each
next item is on screen within 150 ms of the verdict (it was leased and loaded while the expert worked)."""

import io
import statistics

import numpy as np
import pytest
from django.conf import settings
from PIL import Image
from playwright.sync_api import expect

from qa.models import Mask, MaskKind, Review, ReviewLease, Role
from tests.browser.test_login import PASSWORD, log_in
from tests.browser.test_study_page import HEIGHT, SPACING_MM, WIDTH, _fetus, _frame, _results
from tests.factories import HospitalFactory, MachineFactory, StudyFactory, UserFactory
from workers.ml.crl import crl_from_mask
from workers.ml.fusqa.labels import quality_label

pytestmark = pytest.mark.browser

SUBMIT_TO_NEXT_BUDGET_MS = 150
CUT_COL = 125
# The missing end of the second item's fetus (centre (150, 200), 120 × 45 px): a polygon around it, (row, col).
CROWN = [(150, 76), (118, 86), (104, 105), (102, 128), (198, 128), (196, 105), (182, 86)]


@pytest.fixture
def review_world(db, settings):
    settings.FUSQA_REVIEW_DOUBLE_READ_SHARE = 0.0
    settings.FUSQA_GOOD_THRESHOLD = 0.5
    hospital = HospitalFactory(name="St Mary's Maternity Unit", slug="st-marys")
    machine = MachineFactory(hospital=hospital, manufacturer="Phantom Medical", model_name="PX-7")
    expert = UserFactory(username="eva.expert", role=Role.EXPERT, member_of=[hospital])
    masks = []
    # Most uncertain first: the queue's order is p(good) nearest the threshold.
    for seed, p_good in enumerate([0.5, 0.55, 0.6, 0.9], start=1):
        study = StudyFactory(hospital=hospital, machine=machine, reported_ga_days=None)
        fetus = _fetus((150, 200), 110 + 5 * seed, 45, 10 * seed - 20)
        frame = _frame(study, 1, fetus, seed=seed)
        _results(frame, _cut_short(fetus[0]) if seed == 2 else fetus, p_good=p_good)
        masks.append(Mask.objects.get(frame=frame))
    return expert, masks


def _cut_short(fetus: np.ndarray):
    """The model's poor mask of the second item: the fetus without its left end (crown), left of column 125."""
    mask = fetus.copy()
    mask[:, :CUT_COL] = False
    crl = crl_from_mask(mask, SPACING_MM)
    return mask, crl.p1, crl.p2, round(crl.crl_mm, 1)


def _array(mask: Mask) -> np.ndarray:
    with mask.data.open("rb") as handle:
        return np.asarray(Image.open(io.BytesIO(handle.read())).convert("L")) > 0


def _to_screen(stage_box: dict, row: float, col: float) -> tuple[float, float]:
    """A frame pixel's centre on screen: the stage fits the frame to its width (at most 620 px high)."""
    scale = min(stage_box["width"] / WIDTH, 620 / HEIGHT)
    left = stage_box["x"] + round((stage_box["width"] - WIDTH * scale) / 2)
    return left + (col + 0.5) * scale, stage_box["y"] + (row + 0.5) * scale


def _assert_drawn(page) -> None:
    """The frame is on the stage's first canvas (tissue at the top of the fan is grey, not black) and the mask
    on the second (teal inside the fetus)."""
    box = page.locator(".workspace-stage").bounding_box()
    pixel = """([canvas, x, y]) => Array.from(canvas.getContext('2d').getImageData(x, y, 1, 1).data)"""
    canvases = page.locator(".workspace-stage canvas")

    def at(index, row, col):
        x, y = _to_screen(box, row, col)
        return canvases.nth(index).evaluate(
            pixel.replace("[canvas, x, y]", "canvas, [x, y]"), [x - box["x"], y - box["y"]]
        )

    tissue = [at(0, row, 200)[0] for row in range(8, 30, 3)]
    assert max(tissue) > 40, tissue
    r, g, b, a = at(1, 170, 200)  # inside the fetus, off the calliper line
    assert a > 60 and g > r + 100 and b > r + 100, (r, g, b, a)


def _wait_for_item(page, mask: Mask) -> None:
    facts = page.locator(".review-facts")
    expect(facts).to_have_attribute("data-mask-id", str(mask.id))
    # The expert looks for a moment; meanwhile the next item is leased and loaded.
    expect(page.locator(".review-status")).to_have_attribute("data-next-ready", "true")


def test_an_expert_labels_three_items_with_the_keyboard_and_corrects_one(page, review_world, screenshot_dir):
    expert, (first, second, third, fourth) = review_world
    parent_file, parent_area = second.data.name, second.area_px
    parent_bytes = second.data.open("rb").read()

    page.goto("/review")
    log_in(page, expert.username, PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Review")).to_be_visible()
    expect(page.get_by_role("link", name="Review", exact=True)).to_have_attribute("aria-current", "page")
    for key in ["G", "P", "U", "S", "Z"]:
        expect(page.locator(".verdict-keys, .workspace-toolbar").locator("kbd", has_text=key).first).to_be_visible()

    # Item 1: the model's mask is right.
    _wait_for_item(page, first)
    _assert_drawn(page)
    page.keyboard.press("g")

    # Item 2: the model cut the crown short; the expert starts painting it back with the brush.
    _wait_for_item(page, second)
    crl_before = float(page.locator(".live-crl").inner_text().split()[0])
    box = page.locator(".workspace-stage").bounding_box()
    page.keyboard.press("b")
    for _ in range(2):
        page.keyboard.press("]")  # 6 → 10 px
    expect(page.locator(".brush-size-value")).to_have_text("Size 10 px")
    path = [(150, col) for col in range(140, 80, -6)]  # along the long axis, out to the crown
    page.mouse.move(*_to_screen(box, *path[0]))
    page.mouse.down()
    for point in path[1:]:
        page.mouse.move(*_to_screen(box, *point), steps=3)
    page.mouse.up()
    expect(page.locator(".mask-state")).to_have_text("Corrected (sent with the verdict)")
    expect(page.locator(".live-crl")).not_to_have_text(f"{crl_before:.1f} mm")
    assert float(page.locator(".live-crl").inner_text().split()[0]) > crl_before + 5
    page.mouse.move(*_to_screen(box, 90, 130))  # the brush cursor at the edge of the gap, for the picture
    page.screenshot(path=str(screenshot_dir / "review-workspace.png"), full_page=True)

    # Z takes the stroke back; the polygon tool fills the whole missing end instead (click the first point to close).
    page.keyboard.press("z")
    expect(page.locator(".mask-state")).to_have_text("The model's")
    expect(page.locator(".live-crl")).to_have_text(f"{crl_before:.1f} mm")
    page.keyboard.press("l")
    for point in [*CROWN, CROWN[0]]:
        page.mouse.click(*_to_screen(box, *point))
    expect(page.locator(".mask-state")).to_have_text("Corrected (sent with the verdict)")
    crl_after = float(page.locator(".live-crl").inner_text().split()[0])
    assert crl_after > crl_before + 5, (crl_before, crl_after)
    page.keyboard.press("p")

    # Item 3: not an image anyone could measure.
    _wait_for_item(page, third)
    page.keyboard.press("u")
    expect(page.locator(".review-facts")).to_have_attribute("data-mask-id", str(fourth.id))
    expect(page.locator(".review-status")).to_have_attribute("data-saved", "3")

    # The database: three reviews with their verdicts, one correction as a new version.
    reviews = {review.mask_id: review for review in Review.objects.filter(expert=expert)}
    assert {mask_id: review.verdict for mask_id, review in reviews.items()} == {
        first.id: "good",
        second.id: "poor",
        third.id: "unusable",
    }
    assert reviews[first.id].training_label == "good" and reviews[first.id].corrected_mask is None
    assert reviews[third.id].training_label == "excluded" and reviews[third.id].corrected_mask is None

    corrected = Mask.objects.get(frame=second.frame, kind=MaskKind.EXPERT)
    assert (corrected.parent_id, corrected.created_by_id, corrected.version) == (
        second.id,
        expert.id,
        second.version + 1,
    )
    assert reviews[second.id].corrected_mask_id == corrected.id
    second.refresh_from_db()
    assert (second.data.name, second.area_px) == (parent_file, parent_area)
    assert second.data.open("rb").read() == parent_bytes
    drawn, model = _array(corrected), _array(second)
    assert drawn.shape == (HEIGHT, WIDTH)
    assert corrected.area_px == int(drawn.sum()) > parent_area
    assert not (model & ~drawn).any(), "the brush only adds: every model pixel is still in the correction"
    # The derived label: the training rule applied to the model mask against the correction.
    spacing = (second.frame.spacing_row_mm, second.frame.spacing_col_mm)
    judged = quality_label(model, drawn, spacing, formula=settings.FUSQA_GA_FORMULA)
    assert reviews[second.id].training_label == (judged.label or "excluded")
    assert reviews[second.id].label_dice == pytest.approx(judged.dice)
    assert corrected.measurements.get().crl_mm == pytest.approx(crl_after, abs=0.05)
    assert ReviewLease.objects.filter(expert=expert, state="done").count() == 3

    timings = page.evaluate("window.__fusqaReviewTimings.submitToNext")
    median = statistics.median(timings)
    phases = page.evaluate("window.__fusqaReviewTimings.phases")
    print(f"\nsubmit-to-next-image (ms): {[round(t, 1) for t in timings]}; median {median:.1f}; steps {phases}")
    assert len(timings) == 3
    assert median <= SUBMIT_TO_NEXT_BUDGET_MS, timings


def test_zoom_pan_and_skip_which_gives_the_item_back_and_shows_the_next(page, review_world):
    expert, (first, second, *_) = review_world

    page.goto("/review")
    log_in(page, expert.username, PASSWORD)
    _wait_for_item(page, first)
    # The wheel zooms about the pointer, the hand tool pans, 0 fits the frame again.
    stage = page.locator(".workspace-stage")
    fitted = float(stage.get_attribute("data-zoom"))
    box = stage.bounding_box()
    centre = _to_screen(box, 150, 200)
    page.mouse.move(*centre)
    page.mouse.wheel(0, -400)
    expect(stage).not_to_have_attribute("data-zoom", f"{fitted:.4f}")
    assert float(stage.get_attribute("data-zoom")) > fitted * 1.5
    offset = stage.get_attribute("data-offset")
    page.keyboard.press("h")
    page.mouse.down()
    page.mouse.move(centre[0] + 80, centre[1] + 40, steps=5)
    page.mouse.up()
    expect(stage).not_to_have_attribute("data-offset", offset)
    page.keyboard.press("0")
    expect(stage).to_have_attribute("data-zoom", f"{fitted:.4f}")

    page.keyboard.press("s")

    expect(page.locator(".review-facts")).to_have_attribute("data-mask-id", str(second.id))
    lease = ReviewLease.objects.get(mask=first)
    for _ in range(50):
        lease.refresh_from_db()
        if lease.state == "released":
            break
        page.wait_for_timeout(100)
    assert lease.state == "released"
    assert not Review.objects.exists()
