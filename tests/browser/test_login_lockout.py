"""After five wrong passwords the login page shows the server's lockout message, and the right password
no longer gets in."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser


def test_the_login_page_shows_the_lockout_and_the_right_password_is_refused_during_it(page, live_server):
    UserFactory(username="maria")
    page.goto("/login")

    statuses = [log_in(page, "maria", f"wrong-{n}") for n in range(5)]
    expect(page.get_by_role("alert")).to_contain_text("Too many failed logins for this username or from this address")

    assert log_in(page, "maria", "pw-for-tests-123") == 429

    assert statuses == [400, 400, 400, 400, 429]
    expect(page.get_by_role("alert")).to_contain_text("Try again in 15 minutes")
    expect(page).to_have_url(re.compile(r"/login$"))


def log_in(page, username: str, password: str) -> int:
    """Submits the form and returns the status the server answered."""
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    with page.expect_response("**/api/auth/login/") as response:
        page.get_by_role("button", name="Log in").click()
    return response.value.status
