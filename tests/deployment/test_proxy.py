"""The reverse proxy: the repository's nginx directives, run by a real nginx in front of a live Django server.
An oversized upload is refused by nginx before any byte of it reaches Django; a normal one passes through."""

import re
import threading

import numpy as np
import pytest
import requests
from django.conf import settings
from django.core.signals import request_started

from deploy.local_nginx import PROXY_INCLUDE, LocalNginx, nginx_binary
from qa.models import Frame
from qa.services import jobs
from tests.factories import HospitalFactory, UserFactory, png_bytes
from tests.services import require

MiB = 1024 * 1024


@pytest.fixture
def django_requests():
    """Every request the Django application starts handling, whoever sent it (the live server's threads)."""
    seen: list[str] = []
    lock = threading.Lock()

    def record(sender, environ, **kwargs):
        with lock:
            seen.append(f"{environ['REQUEST_METHOD']} {environ['PATH_INFO']}")

    request_started.connect(record, weak=False)
    yield seen
    request_started.disconnect(record)


@pytest.fixture
def proxy(live_server, tmp_path):
    require("nginx", nginx_binary() is not None, "apt-get install nginx (see .ci/run)")
    server = LocalNginx(tmp_path, upstream=live_server.url.removeprefix("http://")).start()
    yield server
    server.stop()


@pytest.fixture
def queued(monkeypatch):
    """The broker is the outermost I/O: record what would be queued instead of filling a shared Redis."""
    sent: list[list[int]] = []
    monkeypatch.setattr(jobs.celery_app, "send_task", lambda name, args, **kwargs: sent.append(args))
    return sent


def token_through(proxy: LocalNginx, username: str) -> str:
    response = requests.post(
        f"{proxy.url}/api/auth/token/", json={"username": username, "password": "pw-for-tests-123"}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["token"]


def upload_through(proxy: LocalNginx, django_requests: list, name: str, body: bytes, *, timeout: float):
    """A QA manager's upload of `body` through the proxy; Django's request log starts empty just before it."""
    hospital = HospitalFactory()
    UserFactory(username="uploader", member_of=[hospital])
    token = token_through(proxy, "uploader")
    django_requests.clear()
    return requests.post(
        f"{proxy.url}/api/uploads/",
        headers={"Authorization": f"Token {token}"},
        data={"hospital": hospital.id, "spacing_mm": "0.2"},
        files={"file": (name, body, "image/png")},
        timeout=timeout,
    )


def test_the_proxy_body_limit_is_the_upload_limit_plus_one_mib_of_envelope():
    limit = re.search(r"^client_max_body_size (\d+)m;", PROXY_INCLUDE.read_text(), re.MULTILINE)
    assert limit is not None
    assert int(limit.group(1)) * MiB == settings.FUSQA_MAX_UPLOAD_BYTES + MiB
    assert settings.FUSQA_MAX_UPLOAD_BYTES == 50 * MiB


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_60_mb_upload_gets_413_from_nginx_and_never_reaches_django(proxy, django_requests, queued):
    response = upload_through(proxy, django_requests, "huge.png", b"\0" * (60 * 1000 * 1000), timeout=120)

    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert "51 MiB" in response.json()["error"]["message"]
    assert django_requests == []
    assert Frame.objects.count() == 0
    assert queued == []
    assert re.search(r'"POST /api/uploads/ HTTP/1.1" 413 ', proxy.access_log.read_text())


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_small_upload_passes_through_the_proxy_and_is_stored(proxy, django_requests, queued):
    image = png_bytes(np.random.default_rng(1).integers(0, 255, (120, 160), dtype=np.uint8))

    response = upload_through(proxy, django_requests, "frame.png", image, timeout=60)

    assert response.status_code == 201, response.text
    assert django_requests == ["POST /api/uploads/"]
    frame = Frame.objects.get()
    assert (frame.width, frame.height) == (160, 120)
    assert len(queued) == 1


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_file_just_over_the_upload_limit_passes_nginx_and_gets_djangos_413(proxy, django_requests, queued):
    response = upload_through(
        proxy, django_requests, "big.png", b"\0" * (settings.FUSQA_MAX_UPLOAD_BYTES + 1), timeout=120
    )

    assert response.status_code == 413
    assert response.json()["error"] == {
        "code": "too_large",
        "message": f"The file is {settings.FUSQA_MAX_UPLOAD_BYTES + 1} bytes; uploads are limited to "
        f"{settings.FUSQA_MAX_UPLOAD_BYTES} bytes.",
        "field": "file",
    }
    assert django_requests == ["POST /api/uploads/"]
    assert Frame.objects.count() == 0
    assert queued == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_the_proxy_overwrites_a_forged_real_ip_with_the_peer_it_saw(proxy):
    seen: list[tuple[str, str]] = []

    def record(sender, environ, **kwargs):
        seen.append((environ.get("HTTP_X_REAL_IP", ""), environ.get("HTTP_X_FORWARDED_FOR", "")))

    request_started.connect(record, weak=False)
    try:
        response = requests.get(
            f"{proxy.url}/api/auth/csrf/",
            headers={"X-Real-IP": "203.0.113.9", "X-Forwarded-For": "203.0.113.9"},
            timeout=30,
        )
    finally:
        request_started.disconnect(record)

    assert response.status_code == 200
    # X-Forwarded-For keeps what the client wrote and appends the real peer; X-Real-IP is only the real peer.
    assert seen == [("127.0.0.1", "203.0.113.9, 127.0.0.1")]
