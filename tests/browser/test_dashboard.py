"""The dashboard in Chromium: a QA manager reads their hospital's tiles and chart and drills down to the frames
of a poor week; an admin compares hospitals; a QA manager acknowledges a drift alert."""

import csv
import io
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from qa.models import AuditEvent, DriftAlert
from tests.browser.dashboard_world import build_dashboard_world
from tests.browser.test_login import PASSWORD, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def world(db):
    return build_dashboard_world()


def tile(page, name: str):
    return page.locator(f'[data-tile="{name}"]')


def test_a_qa_manager_reads_the_tiles_and_chart_and_drills_down_to_a_poor_week(page, world, screenshot_dir):
    page.goto("/")
    log_in(page, "ana.qa", PASSWORD)

    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    good, poor, unknown = world.totals("E8", "EPIQ")
    expect(tile(page, "frames")).to_have_text(str(good + poor + unknown))
    expect(tile(page, "poor-rate")).to_have_text(f"{round(100 * poor / (good + poor))} %")
    expect(tile(page, "open-alerts")).to_have_text("1")
    expect(page.locator(".tile-note").nth(1)).to_have_text(re.compile(r"^95 % interval \d+(\.\d)? % – \d+ %$"))
    # Only their hospital: no hospital filter, no side-by-side comparison, only its machines, worst first.
    expect(page.get_by_label("Hospital")).to_have_count(0)
    expect(page.get_by_role("heading", name="Hospitals side by side")).to_have_count(0)
    machines = page.get_by_role("table", name="Machines, worst first").locator("tbody th")
    expect(machines).to_have_text(["Philips EPIQ 7", "GE Voluson E8"])
    expect(page.get_by_text("Northgate")).to_have_count(0)
    # The chart and the GA plot drew on their canvases.
    expect(page.locator(".chart canvas")).to_have_count(2)
    expect(page.get_by_role("img", name=re.compile("Poor-mask rate per period"))).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "dashboard.png"), full_page=True)
    # Another hospital's dashboard does not exist for them.
    northgate = page.request.get(f"/api/dashboard/?hospital={world.northgate.id}")
    assert northgate.status == 404

    page.get_by_text("The numbers behind the chart").click()
    week = world.drift_monday.isoformat()
    page.get_by_role("link", name=week, exact=True).click()

    end = min(world.drift_monday + timedelta(days=6), world.today).isoformat()
    expect(page).to_have_url(
        re.compile(rf"/dashboard/frames\?hospital={world.st_marys.id}&from={week}&to={end}&verdict=poor$")
    )
    expect(page.get_by_role("heading", level=1, name=f"Poor frames from {week} to {end}")).to_be_visible()
    expect(page.locator("#main")).to_be_focused()
    thumbs = page.locator(".thumb")
    expect(thumbs).to_have_count(5)  # EPIQ's five poor frames of that week; the E8 had none
    expect(page.locator('.thumb canvas[data-drawn="image mask"]')).to_have_count(5)
    p_goods = [float(text.removeprefix("p(good) ")) for text in page.locator(".thumb .p-good").all_text_contents()]
    assert p_goods == sorted(p_goods), "worst (lowest p(good)) first"
    expect(thumbs.first.get_by_text("Philips EPIQ 7", exact=False)).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "dashboard-frames.png"), full_page=True)

    thumbs.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name=re.compile(r"^Study #\d+"))).to_be_visible()
    expect(page.locator(".dating-unfit").first).to_contain_text("Not fit for dating.")
    page.screenshot(path=str(screenshot_dir / "study-not-fit-for-dating.png"), full_page=True)


def test_an_admin_compares_hospitals_side_by_side(page, world, screenshot_dir):
    page.goto("/")
    log_in(page, "root", PASSWORD)

    side_by_side = page.get_by_role("table", name="Hospitals side by side")
    expect(side_by_side.locator("tbody th")).to_have_text(["Northgate General Hospital", "St Mary's Maternity Unit"])
    good, poor, unknown = world.totals("APLIO")
    expect(side_by_side.locator("tbody tr").first.locator("td").first).to_have_text(str(good + poor + unknown))
    expect(page.locator(".chart canvas")).to_have_count(3)
    machines = page.get_by_role("table", name="Machines, worst first")
    expect(machines.locator("tbody th")).to_have_text(["Philips EPIQ 7", "Canon Aplio i700", "GE Voluson E8"])
    page.screenshot(path=str(screenshot_dir / "dashboard-hospitals.png"), full_page=True)

    # The CSV holds what the table shows, saved by the browser.
    with page.expect_download() as download_info:
        page.get_by_role("region", name="Machines, worst first").get_by_role("button", name="Download CSV").click()
    download = download_info.value
    assert download.suggested_filename.startswith("machines-")
    table = list(csv.reader(io.StringIO(open(download.path(), encoding="utf-8").read())))
    assert table[0] == ["Machine", "Hospital", "Frames", "Good", "Poor", "Unknown", "Poor rate (95 % interval)"]
    assert [row[:3] for row in table[1:]] == [
        ["Philips EPIQ 7", "St Mary's Maternity Unit", str(sum(world.totals("EPIQ")))],
        ["Canon Aplio i700", "Northgate General Hospital", str(good + poor + unknown)],
        ["GE Voluson E8", "St Mary's Maternity Unit", str(sum(world.totals("E8")))],
    ]

    side_by_side.get_by_role("link", name="Northgate General Hospital").click()

    expect(page).to_have_url(re.compile(rf"/dashboard\?hospital={world.northgate.id}$"))
    expect(tile(page, "frames")).to_have_text(str(good + poor + unknown))
    expect(page.get_by_label("Hospital")).to_have_value(str(world.northgate.id))
    expect(page.get_by_role("heading", name="Hospitals side by side")).to_have_count(0)


def test_a_qa_manager_acknowledges_a_drift_alert(page, world):
    page.goto("/")
    log_in(page, "ana.qa", PASSWORD)
    page.get_by_role("link", name="Alerts", exact=True).click()  # the nav link, not the tile's "Drift alerts"

    expect(page.get_by_role("heading", level=1, name="Drift alerts")).to_be_visible()
    row = page.locator(f'tr[data-alert-id="{world.alert.id}"]')
    expect(row.locator("th")).to_have_text("Philips EPIQ 7")
    expect(row).to_contain_text("Ongoing")

    row.get_by_role("button", name=re.compile("^Acknowledge the alert on Philips EPIQ 7")).click()

    expect(page.get_by_role("status").filter(has_text="acknowledged")).to_have_text(
        "Alert on Philips EPIQ 7 (St Mary's Maternity Unit) acknowledged."
    )
    expect(page.get_by_text("No open drift alerts.")).to_be_visible()
    alert = DriftAlert.objects.get(pk=world.alert.id)
    assert alert.acknowledged_by == world.manager
    assert AuditEvent.objects.filter(action__startswith="alert.", actor=world.manager).count() == 1

    page.get_by_label("Show").select_option(label="Acknowledged")
    expect(row).to_contain_text("Acknowledged by ana.qa")
    expect(row.get_by_role("button")).to_have_count(0)
