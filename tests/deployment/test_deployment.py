"""What a hospital's deployment relies on: migrations on both databases, deploy checks, compose file."""

import os
import re
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import yaml

from tests.services import require

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    # A deployment never runs with the browser tests' async override.
    full_env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"} | env
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=300
    )


def test_the_models_and_migrations_agree():
    result = run_manage(
        "makemigrations", "--check", "--dry-run", env={"DJANGO_SETTINGS_MODULE": "fusqa_web.settings.test"}
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_migrations_apply_on_a_fresh_sqlite_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = run_manage(
        "migrate", "--noinput", env={"DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.local"}
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "fresh.sqlite3").stat().st_size > 0


def test_migrations_apply_on_a_fresh_postgresql_database():
    psycopg = pytest.importorskip("psycopg")
    try:
        admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True, connect_timeout=2)
    except psycopg.OperationalError:
        admin = None
    require("PostgreSQL", admin is not None, "start it with pg_ctlcluster (see .ci/run)")
    name = f"fusqa_migrate_{uuid.uuid4().hex[:8]}"
    admin.execute(f"CREATE DATABASE {name}")
    try:
        result = run_manage(
            "migrate",
            "--noinput",
            env={
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
                "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.local",
            },
        )
        assert result.returncode == 0, result.stderr
        with psycopg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}") as conn:
            tables = {row[0] for row in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname='public'")}
        assert {"qa_frame", "qa_mask", "qa_processingjob", "qa_modelversion"} <= tables
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.close()


def test_the_deploy_check_passes_with_production_settings():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.production",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "FUSQA_PATIENT_KEY_SECRET": secrets.token_urlsafe(32),
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "FUSQA_PATIENT_KEY_SECRET")}
    env["DJANGO_SETTINGS_MODULE"] = "fusqa_web.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


def compose_command() -> list[str] | None:
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


COMPOSE_SECRETS = ("DJANGO_SECRET_KEY", "FUSQA_PATIENT_KEY_SECRET", "POSTGRES_PASSWORD")


def compose_config(**secrets_given: str) -> subprocess.CompletedProcess:
    command = compose_command()
    require("docker compose", command is not None, "apt-get install docker-compose (see .ci/run)")
    env = {k: v for k, v in os.environ.items() if k not in COMPOSE_SECRETS} | secrets_given
    return subprocess.run([*command, "config", "-q"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_docker_compose_accepts_the_hospital_deployment():
    result = compose_config(DJANGO_SECRET_KEY="x", FUSQA_PATIENT_KEY_SECRET="y", POSTGRES_PASSWORD="z")
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("missing", COMPOSE_SECRETS)
def test_docker_compose_refuses_to_run_without_each_secret(missing):
    result = compose_config(**{name: "set" for name in COMPOSE_SECRETS if name != missing})
    assert result.returncode != 0
    assert f"set {missing} in .env" in result.stderr


def test_the_compose_file_runs_every_role_from_one_image():
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    roles = ("web", "dicom-receiver", "worker-gpu", "worker-cpu", "beat")
    assert {"postgres", "redis", "proxy", *roles} <= set(services)
    images = {services[name]["image"] for name in roles}
    assert images == {"fusqa:latest"}
    assert "--queues=gpu" in services["worker-gpu"]["command"]
    assert "--queues=default" in services["worker-cpu"]["command"]
    devices = services["worker-gpu"]["deploy"]["resources"]["reservations"]["devices"]
    assert devices[0]["driver"] == "nvidia" and "gpu" in devices[0]["capabilities"]
    assert "gunicorn --config deploy/gunicorn.conf.py" in services["web"]["command"]
    assert services["dicom-receiver"]["command"].startswith("python manage.py dicom_receiver --port 11112")


def test_only_the_proxy_and_the_dicom_receiver_are_published_and_the_proxy_carries_the_repository_nginx_config():
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    published = {name: service["ports"] for name, service in services.items() if service.get("ports")}
    assert published == {"proxy": ["8000:8000"], "dicom-receiver": ["11112:11112"]}
    assert services["proxy"]["image"].startswith("nginx:")
    mounts = {volume.split(":")[0]: volume.split(":")[1] for volume in services["proxy"]["volumes"]}
    assert mounts == {
        "./deploy/nginx/fusqa.conf": "/etc/nginx/conf.d/default.conf",
        "./deploy/nginx/fusqa-proxy.conf": "/etc/nginx/fusqa-proxy.conf",
    }
    for source in mounts:
        assert (ROOT / source).is_file()
    assert "include /etc/nginx/fusqa-proxy.conf;" in (ROOT / "deploy/nginx/fusqa.conf").read_text()
    assert "server web:8000;" in (ROOT / "deploy/nginx/fusqa.conf").read_text()


def test_gunicorn_accepts_the_deploy_config_and_loads_the_app_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env |= {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "FUSQA_PATIENT_KEY_SECRET": secrets.token_urlsafe(32)}
    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "--print-config", "fusqa_web.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    resolved = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert resolved["worker_class"] == "gthread"
    # No keep-alive at gunicorn: a kept-alive client stays on one worker after a restart (bench/web_restart.py).
    assert resolved["keepalive"] == "0"
    assert "%(p)s" in resolved["access_log_format"]
