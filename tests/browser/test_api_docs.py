"""The API docs render in the browser under the Content-Security-Policy, with no network beyond this
server, and only for someone logged in. The admin login page renders under the policy too."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.factories import UserFactory

pytestmark = pytest.mark.browser

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def csp_expected_blocks() -> list[str]:
    # Redoc's footer always asks its vendor's CDN for a logo (no option turns it off); the policy stops
    # the request, Redoc hides the broken image, and nothing leaves this server.
    return ["https://cdn.redoc.ly/redoc/logo-mini.svg"]


@pytest.fixture
def requested_hosts(page) -> set[str]:
    """The hosts of every request that went out and got an answer (data: and blob: URLs have none)."""
    hosts: set[str] = set()
    page.on(
        "requestfinished",
        lambda request: request.url.startswith(("http:", "https:")) and hosts.add(urlsplit(request.url).netloc),
    )
    return hosts


def log_in(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".user-name")).to_have_text(username)


def test_an_anonymous_visitor_to_the_docs_lands_on_the_login_page(page, live_server):
    page.goto("/api/docs/")

    expect(page).to_have_url(re.compile(r"/login\?next=/api/docs/$"))
    expect(page.get_by_role("heading", level=1, name="Log in")).to_be_visible()


def test_swagger_ui_renders_the_schema_from_this_server_alone(page, live_server, requested_hosts):
    UserFactory(username="dev")
    log_in(page, "dev")

    page.goto("/api/docs/")

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("FUSQA API")
    expect(page.locator('.opblock-summary-path[data-path="/api/studies/"]')).to_have_count(1)
    assert requested_hosts == {urlsplit(live_server.url).netloc}


def test_redoc_renders_the_schema_from_this_server_alone(page, live_server, requested_hosts):
    UserFactory(username="dev")
    log_in(page, "dev")

    page.goto("/api/redoc/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("FUSQA API")
    expect(page.get_by_text("/api/studies/").first).to_be_attached()
    assert requested_hosts == {urlsplit(live_server.url).netloc}


def test_the_admin_login_page_renders_and_logs_in_under_the_policy(page, live_server):
    UserFactory(username="root", role="admin", is_staff=True, is_superuser=True)

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("root")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page.get_by_role("heading", name="Site administration")).to_be_visible()
