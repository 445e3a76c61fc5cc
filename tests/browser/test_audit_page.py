"""The audit log page: an admin filters it and downloads the same events as CSV; a QA manager has no way in."""

import csv
import io
import re
from datetime import UTC, datetime

import pytest
from playwright.sync_api import expect

from qa.models import AuditEvent, Role
from tests.browser.test_login import PASSWORD, log_in
from tests.factories import HospitalFactory, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def history(db):
    alpha = HospitalFactory(name="St Mary's Maternity Unit", slug="st-marys")
    beta = HospitalFactory(name="Northgate General Hospital", slug="northgate")
    ana = UserFactory(username="ana.qa", role=Role.QA_MANAGER, member_of=[alpha])
    UserFactory(username="root", role=Role.ADMIN)

    def event(day, action, **fields):
        return AuditEvent.objects.create(at=datetime(2026, 3, day, 9, tzinfo=UTC), action=action, **fields)

    event(1, "auth.login_failed", actor_username="ghost", source="198.51.100.4")
    event(2, "upload.stored", actor=ana, actor_username="ana.qa", hospital=alpha, target_type="study",
          target_id="17", source="203.0.113.9", detail={"file_kind": "dicom"})  # fmt: skip
    refused = event(3, "upload.refused", actor=ana, actor_username="ana.qa", hospital=beta, source="203.0.113.9",
                    detail={"code": "forbidden"})  # fmt: skip
    return {"alpha": alpha, "beta": beta, "ana": ana, "refused": refused}


def test_an_admin_filters_the_log_and_downloads_the_same_events_as_csv(page, history, screenshot_dir):
    page.goto("/hospitals")
    log_in(page, "root", PASSWORD)
    page.get_by_role("link", name="Audit log", exact=True).click()

    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    rows = page.locator(".audit-table tbody tr")
    # Newest first: the admin's own login just now, then the three events of March.
    expect(rows).to_have_count(4)
    expect(rows.nth(0).locator("td").nth(2)).to_have_text("Logged in")
    expect(rows.nth(3).locator("td").nth(1)).to_have_text("ghost")

    page.get_by_label("Action").select_option(label="Uploads (all)")
    page.get_by_label("Hospital").select_option(label="Northgate General Hospital")
    page.get_by_label("From").fill("2026-03-02")
    page.get_by_role("button", name="Filter").click()

    expect(page).to_have_url(re.compile(rf"/audit\?action=upload&hospital={history['beta'].id}&from=2026-03-02$"))
    expect(rows).to_have_count(1)
    expect(rows.first.locator("td")).to_have_text(
        ["2026-03-03 09:00:00 UTC", "ana.qa", "Upload refused", "Northgate General Hospital", "—", "203.0.113.9",
         "code: forbidden"]
    )  # fmt: skip
    # As after any change of page, focus moves to the new content for keyboard and screen-reader users.
    expect(page.locator("#main")).to_be_focused()
    expect(page.get_by_label("Action")).to_have_value("upload")
    page.screenshot(path=str(screenshot_dir / "audit-log.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download_info.value.path(), encoding="utf-8").read()

    table = list(csv.reader(io.StringIO(text)))
    assert table[0][:4] == ["id", "at", "actor", "action"]
    assert [row[:4] for row in table[1:]] == [
        [str(history["refused"].id), "2026-03-03T09:00:00+00:00", "ana.qa", "upload.refused"]
    ]
    exported = AuditEvent.objects.get(action="audit.exported")
    assert exported.actor_username == "root"
    assert exported.detail == {"action": "upload", "hospital": history["beta"].id, "from": "2026-03-02T00:00:00+00:00"}


def test_a_qa_manager_sees_no_audit_log_link_and_is_refused_the_page_and_the_api(page, history):
    page.goto("/hospitals")
    log_in(page, "ana.qa", PASSWORD)
    expect(page.get_by_role("heading", level=1, name="Hospitals")).to_be_visible()

    expect(page.get_by_role("navigation", name="Main").get_by_role("link")).to_have_text(
        ["Dashboard", "Alerts", "Hospitals", "Studies", "Upload"]
    )
    page.goto("/audit")
    expect(page.get_by_role("heading", level=1, name="Audit log")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Your role does not include this page.")
    expect(page.locator(".audit-table")).to_have_count(0)

    assert page.request.get("/api/audit-events/").status == 403
    assert page.request.get("/api/audit-events/export.csv").status == 403
    assert not AuditEvent.objects.filter(action="audit.exported").exists()
