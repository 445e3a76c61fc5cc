"""Browser tests: headless Debian Chromium (Python Playwright, sync API) against pytest-django's live_server.

They need the built app (frontend/dist) and /usr/bin/chromium. Locally a missing piece skips the tests
with the command that provides it; in CI (CI set) it fails them, since `make test` builds the app first.
"""

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.core.signals import request_finished, request_started

from tests.services import skip_or_fail

# Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to run beside it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Screenshots land in var/screenshots (ignored by git); FUSQA_SCREENSHOT_DIR=docs/screenshots refreshes
# the ones committed for the docs.
SCREENSHOTS = Path(os.environ.get("FUSQA_SCREENSHOT_DIR") or Path(settings.BASE_DIR) / "var" / "screenshots")


class RequestsInFlight:
    """Counts the live server's requests between started and finished. A page closed while it polls can
    leave one running in the server's thread; the test database's flush (TRUNCATE) then deadlocks with its
    queries. Teardown waits for none to be in flight before the flush."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()
        request_started.connect(self.started, weak=False)
        request_finished.connect(self.finished, weak=False)

    def started(self, **kwargs):
        with self.changed:
            self.count += 1

    def finished(self, **kwargs):
        with self.changed:
            self.count -= 1
            self.changed.notify_all()

    def wait_until_idle(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.count > 0:
                left = deadline - time.monotonic()
                assert left > 0, f"{self.count} live-server request(s) still running {timeout} s after the page closed"
                self.changed.wait(left)


@pytest.fixture(scope="session")
def requests_in_flight() -> RequestsInFlight:
    return RequestsInFlight()


@pytest.fixture(scope="session")
def built_frontend() -> Path:
    index = Path(settings.FRONTEND_DIST) / "index.html"
    if not index.exists():
        skip_or_fail(f"{index} is missing: build the browser app first (`make frontend`).")
    if Path(settings.FRONTEND_DIST) not in [Path(p) for p in settings.STATICFILES_DIRS]:
        # STATICFILES_DIRS is decided when settings are imported: dist must exist before pytest starts.
        skip_or_fail("frontend/dist was built after the settings were loaded: run pytest again.")
    return index


@pytest.fixture(scope="session")
def chromium_browser(built_frontend):
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: `apt-get install -y chromium`.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def csp_expected_blocks() -> list[str]:
    """URLs a test expects the Content-Security-Policy to block (a module overrides this fixture)."""
    return []


@pytest.fixture
def page(chromium_browser, live_server, csp_expected_blocks, requests_in_flight) -> Iterator:
    """A fresh browser context (no cookies) per test, pointed at the live server."""
    context = chromium_browser.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}, locale="en-GB"
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # Anything the Content-Security-Policy blocks is a broken feature the test might not look at.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            "Content Security Policy" in message.text
            and not any(url in message.text for url in csp_expected_blocks)
            and blocked.append(message.text)
        ),
    )
    yield page
    context.close()
    requests_in_flight.wait_until_idle()
    assert not errors, f"the page threw: {errors}"
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
