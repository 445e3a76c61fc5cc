"""A real Orthanc server (Debian package orthanc) for a test: its own JSON config, folders and free ports."""

import json
import shutil
import subprocess
import time
from pathlib import Path

import requests

from tests.pipeline.processes import free_port
from tests.services import skip_or_fail

ORTHANC_AE = "ORTHANC"


def orthanc_binary() -> str:
    path = shutil.which("Orthanc") or ("/usr/sbin/Orthanc" if Path("/usr/sbin/Orthanc").exists() else None)
    if path is None:
        skip_or_fail("Orthanc is not installed: apt-get install orthanc")
    return path


class Orthanc:
    def __init__(self, folder: Path, *, modalities: dict[str, tuple[str, str, int]]):
        """`modalities`: the DICOM peers it may send to, {name: (AE title, host, port)}."""
        self.folder = folder
        self.http_port = free_port()
        self.dicom_port = free_port()
        self.modalities = modalities
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self) -> "Orthanc":
        binary = orthanc_binary()
        (self.folder / "storage").mkdir(parents=True, exist_ok=True)
        config = {
            "Name": "FUSQA test PACS",
            "StorageDirectory": str(self.folder / "storage"),
            "IndexDirectory": str(self.folder / "storage"),
            "HttpPort": self.http_port,
            "DicomPort": self.dicom_port,
            "DicomAet": ORTHANC_AE,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "DicomCheckCalledAet": True,
            "DicomAlwaysAllowStore": True,
            "DicomAlwaysAllowEcho": True,
            "DicomScuTimeout": 10,
            "DicomModalities": {name: list(peer) for name, peer in self.modalities.items()},
            "Plugins": [],
            "StableAge": 1,
        }
        path = self.folder / "orthanc.json"
        path.write_text(json.dumps(config, indent=2))
        log = (self.folder / "orthanc.log").open("ab")
        self.process = subprocess.Popen([binary, str(path)], stdout=log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Orthanc exited: {self.log_text()}")
            try:
                if requests.get(f"{self.url}/system", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError(f"Orthanc did not answer in 30 s: {self.log_text()}")

    def log_text(self) -> str:
        return (self.folder / "orthanc.log").read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def upload(self, data: bytes) -> str:
        """Store a DICOM file through the REST API; its Orthanc id."""
        response = requests.post(f"{self.url}/instances", data=data, timeout=30)
        response.raise_for_status()
        return response.json()["ID"]

    def send(self, modality: str, instance_id: str) -> dict:
        """C-STORE an instance to a configured modality (synchronously)."""
        response = requests.post(
            f"{self.url}/modalities/{modality}/store",
            json={"Resources": [instance_id], "Synchronous": True},
            timeout=60,
        )
        response.raise_for_status()
        return response.json()

    def instances(self) -> list[dict]:
        """Every stored instance's main tags (SOPInstanceUID, SOPClassUID, StudyInstanceUID, Modality...), with
        its Orthanc id as "OrthancId"."""
        found = []
        for instance_id in requests.get(f"{self.url}/instances", timeout=10).json():
            tags = requests.get(f"{self.url}/instances/{instance_id}/simplified-tags", timeout=10).json()
            found.append({**tags, "OrthancId": instance_id})
        return found

    def file(self, instance_id: str) -> bytes:
        response = requests.get(f"{self.url}/instances/{instance_id}/file", timeout=30)
        response.raise_for_status()
        return response.content
