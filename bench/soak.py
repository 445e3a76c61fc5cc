"""Soak benchmark: keep one real worker busy with fresh frames for N minutes and watch for a leak.

A real web server (gunicorn, the deployment's WSGI app) receives every frame as an HTTP upload; a real
Celery worker (prefork, one pool child, so the process that runs the models is a pool child as in
docker-compose) processes them on Redis and PostgreSQL with the shipped models. Each upload is a new
frame, never a re-send: a phantom from a pool, shifted, gain-changed and re-speckled at random, so every
frame is new bytes, a new Frame row and a new mask. The uploader keeps a backlog of about two batches
waiting, so the worker never idles. Every 10 s the RSS of the web and worker processes is sampled.

Prints JSON: the samples, and per process the mean RSS of the first and the last 5 minutes (or halves,
for runs under 10 minutes), their difference, and the maximum.

Needs PostgreSQL and Redis (defaults: 127.0.0.1:5432 trust auth, 127.0.0.1:6379); creates and drops its
own database and uses Redis db 12.

    .venv/bin/python bench/soak.py --minutes 30
"""

import argparse
import io
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database, stop  # noqa: E402 - after the path is set

SAMPLE_EVERY_SECONDS = 10


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--profile", default="hospital_b/aplio_i700")
    parser.add_argument("--pool", type=int, default=48, help="phantoms generated up front, varied per upload")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    processes: list[subprocess.Popen] = []
    with scratch_database(
        postgres=args.postgres, prefix="fusqa_soak", broker=args.redis, FUSQA_BATCH_SIZE=str(args.batch_size)
    ):
        from django.core.management import call_command

        call_command("register_models", verbosity=0, stdout=sys.stderr)  # stdout is the JSON
        try:
            port = free_port()
            processes.append(start(["gunicorn", "fusqa_web.wsgi:application", f"--bind=127.0.0.1:{port}",
                                    "--workers=1", "--timeout=120"], "web"))  # fmt: skip
            processes.append(start(["celery", "-A", "fusqa_web", "worker", "--pool=prefork", "--concurrency=1",
                                    "--queues=gpu,default", "--loglevel=WARNING", "--without-gossip",
                                    "--without-mingle", "--without-heartbeat"], "worker"))  # fmt: skip
            report = soak(args, f"http://127.0.0.1:{port}", web=processes[0], worker=processes[1])
            print(json.dumps(report, indent=1))
        finally:
            stop(processes)


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], name: str) -> subprocess.Popen:
    log = open(Path(tempfile.gettempdir()) / f"fusqa-soak-{name}.log", "wb")  # noqa: SIM115
    executable = [sys.executable, "-m", command[0]] if command[0] in ("celery", "gunicorn") else command[:1]
    return subprocess.Popen(
        [*executable, *command[1:]], cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT
    )


def soak(args: argparse.Namespace, base_url: str, *, web: subprocess.Popen, worker: subprocess.Popen) -> dict:
    import numpy as np
    import psutil
    import requests
    from PIL import Image

    from qa.models import Hospital, JobStatus, ProcessingJob, Role
    from qa.services.accounts import user_upsert
    from workers.ml import synth

    hospital = Hospital.objects.create(name="Soak", slug="soak")
    user_upsert(username="soak", password="soak-pw-123", role=Role.QA_MANAGER, hospitals=[hospital])
    session = requests.Session()

    print(f"generating {args.pool} phantoms ({args.profile}) …", file=sys.stderr, flush=True)
    scans = [synth.generate_scan(args.profile, seed=s) for s in range(args.pool)]
    rng = np.random.default_rng(0)

    def fresh_frame() -> tuple[bytes, float]:
        scan = scans[int(rng.integers(len(scans)))]
        image = np.roll(scan.image, tuple(rng.integers(-12, 13, 2)), axis=(0, 1)).astype(np.float32)
        image = image * rng.uniform(0.85, 1.15) + rng.normal(0, 4, image.shape)
        buffer = io.BytesIO()
        Image.fromarray(np.clip(image, 0, 255).astype(np.uint8)).save(buffer, format="PNG", compress_level=1)
        return buffer.getvalue(), scan.spacing_mm[0]

    def upload() -> None:
        data, spacing = fresh_frame()
        response = session.post(
            f"{base_url}/api/uploads/",
            files={"file": ("frame.png", data, "image/png")},
            data={"hospital": hospital.id, "spacing_mm": str(spacing)},
            timeout=60,
        )
        if response.status_code != 201:
            raise SystemExit(f"upload answered {response.status_code}: {response.text[:300]}")

    wait_for_web(base_url, web)
    # A token as any client gets one: through the API (an expiring, hashed knox token).
    answer = session.post(
        f"{base_url}/api/auth/token/", json={"username": "soak", "password": "soak-pw-123"}, timeout=60
    )
    answer.raise_for_status()
    session.headers["Authorization"] = f"Token {answer.json()['token']}"
    waiting = ProcessingJob.objects.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING])
    stop = threading.Event()
    errors: list[BaseException] = []

    def keep_busy() -> None:
        # Two batches waiting: the worker always finds a full batch, and the backlog never grows unbounded.
        try:
            while not stop.is_set():
                if waiting.count() < 2 * args.batch_size:
                    upload()
                else:
                    time.sleep(0.2)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            from django.db import connection

            connection.close()

    uploader = threading.Thread(target=keep_busy, daemon=True)
    uploader.start()
    web_proc, worker_proc = psutil.Process(web.pid), psutil.Process(worker.pid)
    samples = []
    started = time.monotonic()
    end = started + 60 * args.minutes
    done = ProcessingJob.objects.filter(status=JobStatus.DONE)
    while time.monotonic() < end and not errors:
        for process in (web, worker):
            if process.poll() is not None:
                raise SystemExit(f"a process died (exit {process.returncode}); see fusqa-soak-*.log in the temp folder")
        web_children, worker_children = web_proc.children(), worker_proc.children()
        samples.append(
            {
                "t_s": round(time.monotonic() - started, 1),
                "frames_done": done.count(),
                "web_master_mb": rss_mb(web_proc),
                "web_worker_mb": sum(rss_mb(p) for p in web_children),
                "celery_main_mb": rss_mb(worker_proc),
                "celery_child_mb": sum(rss_mb(p) for p in worker_children),
                "celery_child_pids": [p.pid for p in worker_children],
            }
        )
        print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
        time.sleep(max(0.0, started + SAMPLE_EVERY_SECONDS * len(samples) - time.monotonic()))
    stop.set()
    uploader.join(timeout=120)
    if errors:
        raise SystemExit(f"the uploader stopped: {errors[0]!r}")
    return {
        "minutes": args.minutes,
        "frames_done": done.count(),
        "frames_failed": ProcessingJob.objects.filter(status=JobStatus.FAILED).count(),
        "frames_per_minute": round(samples[-1]["frames_done"] / (samples[-1]["t_s"] / 60), 1) if samples else 0,
        "growth_mb": growth(samples),
        "samples": samples,
    }


def rss_mb(process) -> float:
    try:
        return round(process.memory_info().rss / 2**20, 1)
    except Exception:  # noqa: BLE001 - a child that just exited counts as nothing
        return 0.0


def growth(samples: list[dict]) -> dict:
    """Per process: mean RSS of the first and last windows (5 minutes, or halves of a shorter run)."""
    if not samples:
        return {}
    total = samples[-1]["t_s"]
    window = min(300.0, total / 2)
    first = [s for s in samples if s["t_s"] <= window]
    last = [s for s in samples if s["t_s"] >= total - window]
    result = {"window_s": window}
    for key in ("web_master_mb", "web_worker_mb", "celery_main_mb", "celery_child_mb"):
        a, b = statistics.fmean(s[key] for s in first), statistics.fmean(s[key] for s in last)
        result[key] = {
            "first_mean": round(a, 1),
            "last_mean": round(b, 1),
            "growth": round(b - a, 1),
            "max": max(s[key] for s in samples),
        }
    return result


def wait_for_web(base_url: str, web: subprocess.Popen, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise SystemExit("the web server exited; see fusqa-soak-web.log in the temp folder")
        try:
            requests.get(f"{base_url}/api/auth/csrf/", timeout=timeout)
            return
        except requests.RequestException:  # not listening yet, or still importing the app
            time.sleep(0.2)
    raise SystemExit("the web server did not answer")


if __name__ == "__main__":
    main()
