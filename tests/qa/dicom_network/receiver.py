"""The DICOM receiver as its own process (`manage.py dicom_receiver`) on the test database, and dcmtk."""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings

from tests.pipeline.processes import ROOT, database_url, free_port
from tests.services import skip_or_fail

RECEIVER_AE = "FUSQA"


def dcmtk(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        skip_or_fail(f"dcmtk's {tool} is not installed: apt-get install dcmtk")
    return path


class Receiver:
    def __init__(self, log: Path, *, timeout_s: float = 2, env: dict[str, str] | None = None):
        self.port = free_port()
        self.log = log
        self.timeout_s = timeout_s
        self.extra_env = env or {}
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.test",
            "DATABASE_URL": database_url(),
            "FUSQA_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **self.extra_env,
        }
        timeout = str(self.timeout_s)
        self.process = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "dicom_receiver",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--acse-timeout",
                timeout,
                "--network-timeout",
                timeout,
                "--dimse-timeout",
                timeout,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dicom_receiver exited: {self.log.read_text()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dicom_receiver did not start listening")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def run(self, tool: str, *options: str, aet: str, files: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
        """Run a dcmtk tool (storescu, echoscu) against the receiver as the calling AE `aet`."""
        return subprocess.run(
            [dcmtk(tool), "-aet", aet, "-aec", RECEIVER_AE, *options, "127.0.0.1", str(self.port), *files],
            capture_output=True,
            text=True,
            timeout=60,
        )
