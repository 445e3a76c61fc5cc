"""What the server says about what it serves: the Content-Security-Policy, patient images kept out of
caches, shift-long sessions, and API docs that work offline and only behind login."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from rest_framework.test import APIClient

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-123"


@pytest.fixture
def logged_in() -> Client:
    client = Client()
    client.force_login(UserFactory())
    return client


def csp_directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in (p.strip() for p in policy.split(";")) if part}


@pytest.mark.parametrize("image", ["frame", "mask"])
def test_frame_and_mask_images_are_never_stored_by_a_cache(world, client_for, image):
    response = client_for(world.admin).get(f"/api/{image}s/{world.a.ids[image]}/image/")

    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("path", ["/", "/studies/3", "/admin/login/", "/api/auth/csrf/"])
def test_every_page_carries_a_policy_that_allows_scripts_and_styles_from_this_site_only(client, path):
    directives = csp_directives(client.get(path))

    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self'"


def test_a_browser_session_lasts_twelve_hours():
    UserFactory(username="maria")
    client = APIClient(enforce_csrf_checks=True)
    client.get("/api/auth/csrf/")

    response = client.post(
        "/api/auth/login/",
        {"username": "maria", "password": PASSWORD},
        HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value,
    )

    assert response.status_code == 200
    assert response.cookies["sessionid"]["max-age"] == 12 * 3600


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
def test_an_anonymous_visitor_to_the_docs_is_sent_to_the_login_page(client, path):
    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == f"/login?next={path}"


def test_the_schema_is_refused_to_an_anonymous_caller_in_json(client):
    response = client.get("/api/schema/")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_token_client_can_read_the_schema():
    UserFactory(username="pacs-bridge")
    token = APIClient().post("/api/auth/token/", {"username": "pacs-bridge", "password": PASSWORD}).json()["token"]

    response = APIClient().get("/api/schema/", HTTP_AUTHORIZATION=f"Token {token}")

    assert response.status_code == 200
    assert b"/api/studies/" in response.content


def local_assets(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def assert_served_here(url: str) -> None:
    """A page asset is this site's own: a static file that exists, or a path on this server."""
    assert not re.match(r"^(https?:)?//", url), f"{url} would need the network"
    if url.startswith("/static/"):
        assert finders.find(url.removeprefix("/static/").split("?")[0]), f"{url} is not a static file here"


def test_swagger_ui_loads_only_this_sites_files_and_no_inline_script(logged_in):
    response = logged_in.get("/api/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assets = local_assets(html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    for url in assets:
        assert_served_here(url)
    assert "<script>" not in html and "<style>" not in html
    script = logged_in.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "/api/schema/" in script.content.decode()


def test_redoc_loads_only_this_sites_files_and_no_inline_script(logged_in):
    response = logged_in.get("/api/redoc/")
    html = response.content.decode()

    assert response.status_code == 200
    assets = local_assets(html)
    assert "/static/drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js" in assets
    assert "/static/qa/docs/redoc-init.js" in assets
    for url in assets:
        assert_served_here(url)
    assert "<script>" not in html and "<style>" not in html
    assert 'data-schema-url="/api/schema/"' in html


def test_only_redoc_lets_inline_styles_through_and_its_scripts_stay_this_sites_own(logged_in):
    redoc = csp_directives(logged_in.get("/api/redoc/"))
    swagger = csp_directives(logged_in.get("/api/docs/"))

    assert redoc["style-src"] == "'self' 'unsafe-inline'"
    assert redoc["script-src"] == "'self'"
    assert redoc["worker-src"] == "'self' blob:"
    assert swagger["style-src"] == "'self'"
