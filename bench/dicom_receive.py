"""DICOM receive benchmark: the same phantom files (1) given to the ingest service directly, (2) sent by
dcmtk's storescu over loopback to `manage.py dicom_receiver`, (3) sent by storescu to dcmtk's own storescp
writing them to disk (default settings). All in one run; prints files/s for each and the ratios.

Each way stores into a hospital of its own, so no file is a re-send of another way's. Needs PostgreSQL,
Redis (the jobs are queued, no worker runs) and dcmtk (storescu, storescp); creates and drops its own
database.

    .venv/bin/python bench/dicom_receive.py --files 200
"""

import argparse
import datetime as dt
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database, stop  # noqa: E402 - after the path is set

WARM_UP_FILES = 5


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--profile", default="hospital_b/aplio_i700")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--receiver-option", action="append", default=[], help="extra dicom_receiver option")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    for tool in ("storescu", "storescp"):
        if shutil.which(tool) is None:
            raise SystemExit(f"dcmtk's {tool} is not installed: apt-get install dcmtk")
    work = Path(tempfile.mkdtemp(prefix="fusqa-bench-receive-"))
    processes: list[subprocess.Popen] = []
    try:
        with scratch_database(postgres=args.postgres, broker=args.redis, prefix="fusqa_bench_receive"):
            run(args, work, processes)
    finally:
        stop(processes, timeout=15)
        shutil.rmtree(work, ignore_errors=True)


def run(args: argparse.Namespace, work: Path, processes: list[subprocess.Popen]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from qa.models import Frame, Hospital, User
    from qa.services.dicom_network import calling_ae_set, service_username
    from qa.services.ingest import ingest_upload
    from workers.ml import synth

    print(f"writing {args.files + WARM_UP_FILES} phantom DICOM files ({args.profile}) …", flush=True)
    files = []
    for seed in range(args.files + WARM_UP_FILES):
        scan = synth.generate_scan(args.profile, seed=seed, study_date=dt.date(2026, 3, 2))
        path = work / f"phantom-{seed:04d}.dcm"
        path.write_bytes(synth.scan_to_dicom_bytes(scan))
        files.append(path)
    warm, measured = files[:WARM_UP_FILES], files[WARM_UP_FILES:]
    megabytes = sum(path.stat().st_size for path in measured) / 1e6

    direct_hospital = Hospital.objects.create(name="Direct", slug="direct")
    calling_ae_set(hospital=direct_hospital, ae_title="DIRECT")
    network_hospital = Hospital.objects.create(name="Network", slug="network")
    calling_ae_set(hospital=network_hospital, ae_title="BENCH")
    direct_user = User.objects.get(username=service_username("DIRECT"))

    def ingest(paths) -> None:
        for path in paths:
            ingest_upload(
                user=direct_user,
                hospital=direct_hospital,
                uploaded_file=SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/dicom"),
                source="bench",
            )

    # 1. The ingest service called directly, the files read from disk as the receiver's would arrive.
    ingest(warm)
    started = time.perf_counter()
    ingest(measured)
    direct = len(measured) / (time.perf_counter() - started)

    # 2. storescu → dicom_receiver over loopback: one association, every file.
    port = free_port()
    log = (work / "receiver.log").open("wb")
    processes.append(
        subprocess.Popen(
            [sys.executable, "manage.py", "dicom_receiver", "--port", str(port), "--bind", "127.0.0.1"]
            + args.receiver_option,
            cwd=ROOT,
            env=os.environ.copy(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    )
    wait_for_port(port, processes[-1])
    storescu(port, "FUSQA", warm)
    started = time.perf_counter()
    storescu(port, "FUSQA", measured)
    receiver = len(measured) / (time.perf_counter() - started)
    stored = Frame.objects.filter(hospital=network_hospital).count()
    if stored != len(files):
        raise SystemExit(f"the receiver stored {stored} of {len(files)} files; see {work / 'receiver.log'}")

    # 3. storescu → dcmtk's storescp (default settings), writing each file to disk.
    port = free_port()
    out = work / "storescp"
    out.mkdir()
    processes.append(
        subprocess.Popen(["storescp", "-od", str(out), str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    )
    wait_for_port(port, processes[-1])
    storescu(port, "STORESCP", warm)
    started = time.perf_counter()
    storescu(port, "STORESCP", measured)
    storescp = len(measured) / (time.perf_counter() - started)
    if len(list(out.iterdir())) != len(files):
        raise SystemExit("storescp did not write every file")

    each = megabytes / len(measured)
    print(f"\nfiles {len(measured)} ({each:.2f} MB each, {args.profile}), one association each way")
    print(f"ingest service, direct        {direct:7.1f} files/s  (ingest_upload on each file, same process)")
    print(f"storescu → dicom_receiver     {receiver:7.1f} files/s  (loopback, our C-STORE SCP → ingest_upload)")
    print(f"storescu → storescp (dcmtk)   {storescp:7.1f} files/s  (loopback, written to disk, default settings)")
    print(f"ratio receiver / direct       {receiver / direct:7.2f}")
    print(f"ratio receiver / storescp     {receiver / storescp:7.2f}")


def storescu(port: int, called_ae: str, paths: list[Path]) -> None:
    result = subprocess.run(
        ["storescu", "-aet", "BENCH", "-aec", called_ae, "127.0.0.1", str(port), *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if result.returncode != 0:
        raise SystemExit(f"storescu failed: {result.stdout}{result.stderr}")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on port {port}")


if __name__ == "__main__":
    main()
