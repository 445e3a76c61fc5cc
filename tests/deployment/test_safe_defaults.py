"""Safe defaults: a process started without naming its settings gets production, and production refuses
weak or published secrets."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from fusqa_web.settings.env import env_secret

ROOT = Path(__file__).resolve().parents[2]
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"


def bare_environment(**extra: str) -> dict[str, str]:
    """The environment of a process started by hand: no settings module named (pytest-django names one)."""
    drop = ("DJANGO_SETTINGS_MODULE", "DJANGO_SECRET_KEY", "FUSQA_PATIENT_KEY_SECRET", "DJANGO_ALLOW_ASYNC_UNSAFE")
    return {k: v for k, v in os.environ.items() if k not in drop} | extra


def run_python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def strong() -> str:
    return secrets.token_urlsafe(48)


def test_a_secret_of_32_characters_is_accepted(monkeypatch):
    monkeypatch.setenv("FUSQA_TEST_SECRET", "k" * 32)
    assert env_secret("FUSQA_TEST_SECRET") == "k" * 32


def test_a_secret_of_31_characters_is_refused_with_its_length(monkeypatch):
    monkeypatch.setenv("FUSQA_TEST_SECRET", "k" * 31)
    message = "FUSQA_TEST_SECRET is 31 characters long; production needs at least 32"
    with pytest.raises(ImproperlyConfigured, match=message):
        env_secret("FUSQA_TEST_SECRET")


def test_a_published_default_is_refused_whatever_its_length(monkeypatch):
    published = "published-in-the-repository-" * 3
    monkeypatch.setenv("FUSQA_TEST_SECRET", published)
    with pytest.raises(ImproperlyConfigured, match="FUSQA_TEST_SECRET is the development default"):
        env_secret("FUSQA_TEST_SECRET", known_defaults=(published,))


def test_a_missing_secret_is_refused(monkeypatch):
    monkeypatch.delenv("FUSQA_TEST_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="FUSQA_TEST_SECRET is required"):
        env_secret("FUSQA_TEST_SECRET")


@pytest.mark.parametrize(
    ("secret_key", "patient_key", "message"),
    [
        ("short-secret-key", strong(), "DJANGO_SECRET_KEY is 16 characters long; production needs at least 32"),
        (DEV_SECRET_KEY, strong(), "DJANGO_SECRET_KEY is the development default"),
        (strong(), "x" * 31, "FUSQA_PATIENT_KEY_SECRET is 31 characters long; production needs at least 32"),
        (strong(), "dev-only-patient-key-secret", "FUSQA_PATIENT_KEY_SECRET is the development default"),
    ],
)
def test_production_refuses_to_start_with_a_weak_secret(secret_key, patient_key, message):
    env = bare_environment(
        DJANGO_SETTINGS_MODULE="fusqa_web.settings.production",
        DJANGO_SECRET_KEY=secret_key,
        FUSQA_PATIENT_KEY_SECRET=patient_key,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


@pytest.mark.parametrize("module", ["fusqa_web.wsgi", "fusqa_web.asgi", "fusqa_web.celery"])
def test_an_entry_point_started_without_settings_uses_production(module):
    code = f"import {module}; from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    result = run_python(code, bare_environment(DJANGO_SECRET_KEY=strong(), FUSQA_PATIENT_KEY_SECRET=strong()))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["fusqa_web.settings.production", "False"]


@pytest.mark.parametrize("module", ["fusqa_web.wsgi", "fusqa_web.celery"])
def test_an_entry_point_started_without_settings_or_secrets_refuses_to_start(module):
    code = f"import {module}; from django.conf import settings; settings.SECRET_KEY"
    result = run_python(code, bare_environment())
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def test_manage_py_alone_still_defaults_to_the_local_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"],
        cwd=ROOT,
        env=bare_environment(DATABASE_URL="sqlite:///:memory:"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert re.search(r"^SETTINGS_MODULE = 'fusqa_web.settings.local'", result.stdout, re.MULTILINE)


def test_the_demo_names_the_local_settings_before_it_starts_the_worker_and_beat():
    script = (ROOT / "scripts" / "demo.sh").read_text()
    export = script.index("export DJANGO_SETTINGS_MODULE=fusqa_web.settings.local")
    assert export < script.index("celery -A fusqa_web worker")
    assert export < script.index("celery -A fusqa_web beat")
    assert export < script.index("manage.py dicom_receiver")


def test_every_process_in_compose_and_the_image_names_the_production_settings():
    import yaml

    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    for name in ("web", "dicom-receiver", "worker-gpu", "worker-cpu", "beat"):
        assert spec["services"][name]["environment"]["DJANGO_SETTINGS_MODULE"] == "fusqa_web.settings.production"
    assert "DJANGO_SETTINGS_MODULE=fusqa_web.settings.production" in (ROOT / "Dockerfile").read_text()
