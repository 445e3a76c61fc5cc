"""A QA manager logs in through the page and sees their own hospital, and nobody else's."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import HospitalFactory, MachineFactory, UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def two_hospitals():
    own = HospitalFactory(name="St Mary's Maternity Unit", slug="st-marys")
    other = HospitalFactory(name="Northgate General Hospital", slug="northgate")
    MachineFactory(hospital=own, manufacturer="Phantom Medical", model_name="PX-7")
    MachineFactory(hospital=own, manufacturer="Sonora", model_name="Voluson S10")
    MachineFactory(hospital=other, manufacturer="Phantom Medical", model_name="PX-9")
    manager = UserFactory(username="ana.qa", role="qa_manager", member_of=[own])
    return own, other, manager


def log_in(page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_a_qa_manager_logs_in_and_sees_only_their_hospital(page, two_hospitals, screenshot_dir):
    own, other, manager = two_hospitals

    page.goto("/hospitals")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fhospitals$"))
    log_in(page, manager.username, PASSWORD)

    expect(page).to_have_url(re.compile(r"/hospitals$"))
    expect(page.get_by_role("heading", level=1, name="Hospitals")).to_be_visible()
    cards = page.locator(".hospital")
    expect(cards).to_have_count(1)
    expect(cards.get_by_role("heading", level=2)).to_have_text(own.name)
    expect(cards.locator(".machine-list li")).to_have_text(["Phantom Medical PX-7", "Sonora Voluson S10"])
    expect(page.get_by_text(other.name)).to_have_count(0)
    expect(page.get_by_role("link", name="Hospitals", exact=True)).to_have_attribute("aria-current", "page")
    expect(page.locator(".user-name")).to_have_text(manager.username)

    page.screenshot(path=str(screenshot_dir / "hospitals.png"), full_page=True)


def test_a_wrong_password_shows_the_servers_message_and_stays_on_the_login_page(page, two_hospitals, screenshot_dir):
    _, _, manager = two_hospitals

    page.goto("/")
    log_in(page, manager.username, "not-the-password")

    expect(page.get_by_role("alert")).to_contain_text("The username or password is incorrect")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Password")).to_be_focused()
    page.screenshot(path=str(screenshot_dir / "login-refused.png"))


def test_logging_out_returns_to_the_login_page_and_ends_the_session(page, two_hospitals):
    _, _, manager = two_hospitals
    page.goto("/login")
    log_in(page, manager.username, PASSWORD)
    # The home page is the dashboard.
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()

    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()
    page.goto("/hospitals")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fhospitals$"))
