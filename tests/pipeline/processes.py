"""Real processes for the pipeline's integration tests: a private Redis server the test can stop and
start, and Celery worker processes on it, sharing the test's PostgreSQL database and media folder."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from fusqa_web.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def point_celery_at(url: str) -> None:
    """Make this (test) process send tasks to `url`: drop the cached connection and producer pools."""
    # broker_write_url is what sending uses; with Django settings behind the config it must be set itself.
    celery_app.conf.update(broker_url=url, broker_write_url=url, broker_read_url=url)
    celery_app.conf.broker_connection_retry = False
    celery_app.conf.broker_connection_max_retries = 0
    # The deployment's options, not friendlier ones: how fast an upload gives up on an absent broker is
    # the code's business (qa.services.jobs), and the tests check it.
    redis = url.startswith("redis")
    celery_app.conf.broker_transport_options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS) if redis else {}
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """`celery worker` as its own process, with the given extra environment."""

    def __init__(self, broker_url: str, log: Path, *args: str, **env: str):
        self.log = log
        self.args = args
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "FUSQA_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> "Worker":
        handle = open(self.log, "ab")  # noqa: SIM115 - the child writes to it for its lifetime
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "fusqa_web",
                "worker",
                "--pool=solo",
                "--queues=gpu,default",
                "--loglevel=INFO",
                f"--hostname=test-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",  # Celery's event heartbeats; ours are rows (qa.services.heartbeats)
                *self.args,
            ],
            cwd=ROOT,
            env=self.env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited with {self.process.returncode}:\n{self.log.read_text()[-3000:]}")
            if b" ready." in self.log.read_bytes()[offset:]:
                return self
            time.sleep(0.1)
        raise RuntimeError(f"worker not ready after {timeout} s:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no acks, no clean-up — as if the machine lost power."""
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_until(predicate, *, timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")
