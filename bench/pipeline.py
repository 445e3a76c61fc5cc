"""End-to-end pipeline benchmark: N frames uploaded through the API to one real Celery worker.

Prints end-to-end frames/s (first upload → last result), the ML core's pure inference rate on the same
frames (FramePipeline in batches, no database, no broker), their ratio, and upload-to-result latency
p50/p95, both under load (all frames sent at once) and on an idle system (one frame at a time).

Needs PostgreSQL and Redis (defaults: 127.0.0.1:5432 trust auth, 127.0.0.1:6379); creates and drops its
own database and uses Redis db 13. The shipped models (workers/weights) are used.

    .venv/bin/python bench/pipeline.py --frames 500
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import png, scratch_database, stop, upload_png  # noqa: E402 - after the path is set


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=500)
    parser.add_argument("--idle-frames", type=int, default=50, help="frames sent one at a time for idle latency")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--profile", default="hospital_b/aplio_i700")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    holder: list[subprocess.Popen] = []
    with scratch_database(postgres=args.postgres, broker=args.redis, FUSQA_BATCH_SIZE=str(args.batch_size)):
        try:
            holder = [start_worker()]
            run(args, holder)
        finally:
            stop(holder, timeout=30)


def start_worker() -> subprocess.Popen:
    log = open(Path(tempfile.gettempdir()) / "fusqa-bench-worker.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "fusqa_web",
            "worker",
            "--pool=solo",
            "--queues=gpu,default",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process


def run(args: argparse.Namespace, worker_holder: list[subprocess.Popen]) -> None:
    worker = worker_holder[0]
    import numpy as np
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from qa.models import Hospital, JobStatus, ProcessingJob, Role
    from qa.services.accounts import user_upsert
    from workers.ml import synth
    from workers.ml.inference import load_pipeline

    call_command("register_models", verbosity=0)
    hospital = Hospital.objects.create(name="Bench", slug="bench")
    user = user_upsert(username="bench", password="bench-pw-123", role=Role.QA_MANAGER, hospitals=[hospital])
    client = APIClient()
    client.force_authenticate(user)

    total = 2 * args.frames + args.idle_frames + 4
    print(f"generating {total} phantom frames ({args.profile}) …", flush=True)
    scans = [synth.generate_scan(args.profile, seed=s) for s in range(total)]
    blobs = [png(scan.image) for scan in scans]
    size = f"{scans[0].image.shape[1]}x{scans[0].image.shape[0]}"

    def upload(i: int) -> tuple[int, float]:
        started = time.time()
        response = upload_png(client, i, blob=blobs[i], hospital_id=hospital.id, spacing_mm=scans[i].spacing_mm[0])
        return response.json()["frames"][0]["id"], started

    def finished(frame_ids) -> dict[int, float]:
        rows = ProcessingJob.objects.filter(frame_id__in=frame_ids, status__in=[JobStatus.DONE, JobStatus.FAILED])
        return {r.frame_id: r.finished_at.timestamp() for r in rows}

    def wait_all(frame_ids, timeout=900.0, worker=worker) -> dict[int, float]:
        deadline = time.time() + timeout
        while time.time() < deadline:
            done = finished(frame_ids)
            if len(done) == len(frame_ids):
                return done
            if worker.poll() is not None:
                raise SystemExit("the worker died; see its log in the temp folder")
            time.sleep(0.02)
        raise SystemExit("timed out waiting for results")

    # Warm-up: the worker loads its models on the first batch.
    warm = [upload(i)[0] for i in range(4)]
    wait_all(warm, timeout=300)

    # Idle latency: one frame at a time, each sent when the previous result is in.
    idle = []
    for i in range(4, 4 + args.idle_frames):
        frame_id, started = upload(i)
        idle.append(wait_all([frame_id])[frame_id] - started)

    # Throughput: all frames sent as fast as the API takes them.
    first = 4 + args.idle_frames
    sent = dict(upload(i) for i in range(first, first + args.frames))
    done = wait_all(list(sent))
    wall = max(done.values()) - min(sent.values())
    loaded = [done[f] - sent[f] for f in sent]
    failed = ProcessingJob.objects.filter(frame_id__in=list(sent), status=JobStatus.FAILED).count()

    # The ML core alone on the same frames, same backend, same batch size.
    from qa.services.model_registry import inference_backend

    pipeline = load_pipeline(backend=inference_backend())
    images = [scans[i].image for i in range(first, first + args.frames)]
    spacings = [scans[i].spacing_mm for i in range(first, first + args.frames)]
    pipeline.run(images[:4], spacings[:4])
    t0 = time.perf_counter()
    for k in range(0, len(images), args.batch_size):
        pipeline.run(images[k : k + args.batch_size], spacings[k : k + args.batch_size])
    pure = len(images) / (time.perf_counter() - t0)

    # Drain: the same number of frames waiting in the broker for a freshly started worker, so the worker's
    # own rate (claim, read, models, write) is measured without the uploads sharing its CPU cores.
    worker.terminate()
    worker.wait(timeout=60)
    second = first + args.frames
    backlog = [upload(i)[0] for i in range(second, second + args.frames)]
    worker_holder[0] = start_worker()
    wait_all(backlog, worker=worker_holder[0])
    jobs = ProcessingJob.objects.filter(frame_id__in=backlog)
    drain = args.frames / (max(j.finished_at for j in jobs).timestamp() - min(j.started_at for j in jobs).timestamp())

    e2e = args.frames / wall
    ms = lambda xs, q: 1000 * float(np.percentile(xs, q))  # noqa: E731
    print(
        f"\nframes {args.frames} ({size} px, {args.profile}), batch {args.batch_size}, "
        f"backend {inference_backend()}, failed {failed}"
    )
    print(f"end-to-end throughput        {e2e:7.1f} frames/s  (first upload to last result, one worker)")
    print(f"pure inference (ML core)     {pure:7.1f} frames/s  (same frames, FramePipeline, no DB/broker)")
    print(f"ratio end-to-end / pure      {e2e / pure:7.2f}")
    print(f"worker drain (backlog)       {drain:7.1f} frames/s  (first claim to last result; uploads done before)")
    print(f"ratio drain / pure           {drain / pure:7.2f}")
    print(f"upload-to-result, idle       p50 {ms(idle, 50):6.0f} ms   p95 {ms(idle, 95):6.0f} ms   (n={len(idle)})")
    print(
        f"upload-to-result, under load p50 {ms(loaded, 50):6.0f} ms   p95 {ms(loaded, 95):6.0f} ms   "
        f"(median {statistics.median(loaded):.2f} s)"
    )


if __name__ == "__main__":
    main()
