"""Recovery benchmark: how long after a worker is SIGKILLed mid-batch until every frame is done.

The deployment's topology and defaults: beat (the sweeper on its schedule), a CPU worker on the default
queue (runs the sweeps), and a gpu-queue worker with the shipped models. N frames are uploaded; once a
batch is in flight (jobs running, others already done) the gpu worker is SIGKILLed and a new one is started
at once, as a supervisor would. Prints the seconds from the kill until every job is done, and until the
jobs the dead worker held were taken back.

Needs PostgreSQL and Redis (defaults: 127.0.0.1:5432 trust auth, 127.0.0.1:6379); creates and drops its
own database and uses Redis db 14.

    .venv/bin/python bench/recovery.py --frames 64
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import png, scratch_database, stop  # noqa: E402 - after the path is set


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=64)
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--profile", default="hospital_b/aplio_i700")
    parser.add_argument("--timeout", type=float, default=900, help="give up this long after the kill")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    folder = Path(tempfile.mkdtemp(prefix="fusqa-recovery-"))
    processes: list[subprocess.Popen] = []
    with scratch_database(
        postgres=args.postgres, prefix="fusqa_recovery", broker=args.redis, FUSQA_BATCH_SIZE=str(args.batch_size)
    ):
        from django.core.management import call_command

        call_command("register_models", verbosity=0, stdout=sys.stderr)  # stdout is the JSON
        try:
            print(json.dumps(run(args, folder, processes), indent=1))
        finally:
            stop(processes)


def celery(folder: Path, name: str, *arguments: str) -> subprocess.Popen:
    log = open(folder / f"{name}.log", "ab")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fusqa_web", *arguments, "--loglevel=INFO"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def gpu_worker(folder: Path, name: str) -> subprocess.Popen:
    return celery(folder, name, "worker", "--pool=solo", "--queues=gpu", f"--hostname={name}@%h",
                  "--without-gossip", "--without-mingle", "--without-heartbeat")  # fmt: skip


def run(args: argparse.Namespace, folder: Path, processes: list[subprocess.Popen]) -> dict:
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Count
    from rest_framework.test import APIClient

    from qa.models import Hospital, JobStatus, ProcessingJob, Role
    from qa.services.accounts import user_upsert
    from workers.ml import synth

    hospital = Hospital.objects.create(name="Recovery", slug="recovery")
    client = APIClient()
    user = user_upsert(username="r", password="r-pw-12345", role=Role.QA_MANAGER, hospitals=[hospital])
    client.force_authenticate(user)
    print(f"uploading {args.frames} phantoms ({args.profile}) …", file=sys.stderr, flush=True)
    for seed in range(args.frames):
        scan = synth.generate_scan(args.profile, seed=seed)
        response = client.post(
            "/api/uploads/",
            {"file": SimpleUploadedFile(f"f{seed}.png", png(scan.image)), "hospital": hospital.id,
             "spacing_mm": str(scan.spacing_mm[0])},
            format="multipart",
        )  # fmt: skip
        assert response.status_code == 201, response.content

    jobs = ProcessingJob.objects.all()
    processes.append(celery(folder, "beat", "beat", f"--schedule={folder / 'beat-schedule'}"))
    processes.append(celery(folder, "cpu", "worker", "--pool=solo", "--queues=default", "--hostname=cpu@%h",
                            "--without-gossip", "--without-mingle", "--without-heartbeat"))  # fmt: skip
    first = gpu_worker(folder, "gpu1")
    processes.append(first)
    print("waiting for a batch in flight after a finished one …", file=sys.stderr, flush=True)
    deadline = time.monotonic() + 600
    while not (jobs.filter(status=JobStatus.DONE).exists() and jobs.filter(status=JobStatus.RUNNING).exists()):
        if time.monotonic() > deadline or first.poll() is not None:
            raise SystemExit(f"no batch in flight; see the logs in {folder}")
        time.sleep(0.005)
    os.kill(first.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    first.wait()
    held = set(jobs.filter(status=JobStatus.RUNNING).values_list("id", flat=True))
    if not held:
        raise SystemExit("the batch ended between the check and the kill: run again")
    done_before_kill = jobs.filter(status=JobStatus.DONE).count()
    processes.append(gpu_worker(folder, "gpu2"))

    taken_back_s = None
    while True:
        elapsed = time.monotonic() - killed_at
        if taken_back_s is None and not jobs.filter(id__in=held, status=JobStatus.RUNNING, attempts=1).exists():
            taken_back_s = elapsed
        if not jobs.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exists():
            break
        if elapsed > args.timeout:
            raise SystemExit(f"not done {args.timeout:.0f} s after the kill; see the logs in {folder}")
        time.sleep(0.1)
    return {
        "frames": args.frames,
        "batch_size": args.batch_size,
        "stuck_job_seconds": settings.FUSQA_STUCK_JOB_SECONDS,
        "sweep_every_seconds": settings.CELERY_BEAT_SCHEDULE["requeue-stuck-jobs"]["schedule"],
        # Absent before heartbeats existed: the bench also runs on that code, to measure the "before".
        "heartbeat_seconds_x_misses": [
            getattr(settings, "FUSQA_HEARTBEAT_SECONDS", None),
            getattr(settings, "FUSQA_HEARTBEAT_MISSES", None),
        ],
        "done_before_kill": done_before_kill,
        "held_by_the_killed_worker": len(held),
        "kill_to_held_jobs_taken_back_s": round(taken_back_s, 1),
        "kill_to_all_done_s": round(time.monotonic() - killed_at, 1),
        "statuses": dict(jobs.values_list("status").annotate(n=Count("id"))),
    }


if __name__ == "__main__":
    main()
