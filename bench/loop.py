"""The whole retraining loop on the demo's drifting machine, end to end, on a scratch database.

1. seeds demo data through the real ingest path (the drifting Canon Aplio i700 with its preset change, and the
   other three machines), judged by a real Celery worker with the shipped models;
2. sends a batch of new frames from every machine (exam date today: the Aplio is drifted) and measures the
   poor rate and the GA error of masks called good (against the phantom's truth) under the active models;
3. SIMULATED experts (manage.py simulate_experts: phantom ground truth, for demos and benches only) review a few
   hundred of the drifting machine's frames through the real review API;
4. freezes a training set (POST /api/training-sets/), starts a FUSQA run (POST /api/training-runs/), waits for it
   (GET /api/training-runs/{id}/), reads the gate (GET /api/model-versions/{id}/evaluation/) and activates the
   candidate if the gate allows it (POST /api/model-versions/{id}/activate/; --override-reason to force);
   optionally a segmentation fine-tune the same way (--segmentation);
5. waits for the re-assessment of the recent frames, sends a second batch of new frames, measures again.

Prints ONE JSON object with --json: reviews, training_seconds, hospitals (per hospital: the gate's metrics
before = active, after = candidate, and poor rate / GA error of good masks on new frames), drifting_machine
{poor_rate_before, poor_rate_after, ga_error_good_before, ga_error_good_after}, and the details.

Needs PostgreSQL and Redis (defaults: 127.0.0.1:5432 trust auth, 127.0.0.1:6379 db 12); creates and drops its
own database.

    .venv/bin/python bench/loop.py --json
"""

import argparse
import datetime as dt
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.scratch import scratch_database, stop  # noqa: E402 - after the path is set

DRIFTING = "hospital_b/aplio_i700"
# Study indexes of demo_study_plan's seeds (qa.services.phantom_truth) that the plan does not use here.
NEW_FRAMES_BEFORE_INDEX = 800
NEW_FRAMES_AFTER_INDEX = 900


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    parser.add_argument("--drifting-studies", type=int, default=360, help="studies of the drifting machine")
    parser.add_argument("--other-studies", type=int, default=30, help="studies of each other machine")
    parser.add_argument("--days", type=int, default=150)
    parser.add_argument("--drift-from-days-ago", type=int, default=45)
    parser.add_argument("--reviews", type=int, default=300)
    parser.add_argument("--experts", type=int, default=3)
    parser.add_argument("--correct-share", type=float, default=0.5)
    parser.add_argument("--new-frames", type=int, default=60, help="new frames per batch from the drifting machine")
    parser.add_argument("--new-frames-other", type=int, default=15, help="new frames per batch per other machine")
    parser.add_argument("--parameters", default="{}", help="JSON parameters of the FUSQA run")
    parser.add_argument("--segmentation", action="store_true", help="also fine-tune and activate segmentation")
    parser.add_argument("--segmentation-parameters", default="{}", help="JSON parameters of the segmentation run")
    parser.add_argument("--override-reason", default="", help="activate even if the gate refuses, with this reason")
    parser.add_argument(
        "--stop-after-reviews", action="store_true", help="stop after the simulated reviews (no training set, no run)"
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for any one stage")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    holder: list[subprocess.Popen] = []
    environment = {"FUSQA_TRAINING_DIR": tempfile.mkdtemp(prefix="fusqa-loop-training-")}
    environment["FUSQA_WEIGHTS_DIR"] = os.environ.get("FUSQA_WEIGHTS_DIR", str(ROOT / "workers" / "weights"))
    with scratch_database(postgres=args.postgres, prefix="fusqa_loop", broker=args.redis, **environment):
        try:
            holder.append(start_worker())
            result = run(args, holder[0])
        finally:
            stop(holder, timeout=60)
    print(json.dumps(result, indent=None if args.json else 2, default=str))


def start_worker() -> subprocess.Popen:
    log = open(Path(tempfile.gettempdir()) / "fusqa-loop-worker.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fusqa_web", "worker", "--pool=solo", "--queues=gpu,default",
         "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def say(args, message: str) -> None:
    print(message, file=sys.stderr if args.json else sys.stdout, flush=True)


def run(args: argparse.Namespace, worker: subprocess.Popen) -> dict:
    from django.core.management import call_command
    from rest_framework.test import APIClient

    from qa.models import Hospital, Machine, User
    from qa.services.demo import demo_accounts_seed, demo_studies_seed, demo_study_plan
    from qa.services.simulated_experts import simulated_reviews_run

    started = time.monotonic()
    today = dt.date.today()
    demo_accounts_seed(password="loop-bench-password")
    call_command("register_models", stdout=io.StringIO())  # stdout carries only the JSON object
    admin = APIClient()
    admin.force_authenticate(User.objects.get(username="admin"))

    def wait(what: str, predicate, interval: float = 0.5):
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if worker.poll() is not None:
                raise SystemExit(
                    f"the worker died while waiting for {what}; see fusqa-loop-worker.log in the temp folder"
                )
            time.sleep(interval)
        raise SystemExit(f"timed out waiting for {what}")

    # 1. The demo's history, fewer studies (the drifting machine keeps enough to review).
    first, rest = demo_study_plan(
        studies_per_machine=args.drifting_studies, days=args.days, today=today, first_per_machine=0
    )
    stride = max(1, args.drifting_studies // max(1, args.other_studies))
    studies = [s for s in first + rest if s.profile == DRIFTING or (s.seed % 1000) % stride == 0]
    say(args, f"seeding {len(studies)} demo studies …")
    demo_studies_seed(studies=studies, today=today, drift_from_days_ago=args.drift_from_days_ago)
    wait("the demo studies to be judged", _all_judged)
    say(args, f"  judged ({time.monotonic() - started:.0f} s)")

    # 2. New frames under the shipped models.
    before = send_new_frames(args, NEW_FRAMES_BEFORE_INDEX, today)
    wait("the first new frames to be judged", _all_judged)
    measured_before = measure(before)

    # 3. Simulated experts review the drifting machine's frames through the review API.
    southbank = Hospital.objects.get(slug="southbank")
    aplio = Machine.objects.get(hospital=southbank, model_name__icontains="Aplio")
    say(args, f"simulated experts review up to {args.reviews} frames of {aplio} …")
    report = simulated_reviews_run(
        hospital=southbank, machine=aplio, count=args.reviews, experts=args.experts,
        correct_share=args.correct_share, seed=0,
    )  # fmt: skip
    say(args, f"  {report.reviews} reviews {report.verdicts}, {report.corrected} corrected masks")

    if args.stop_after_reviews:
        return {"reviews": report.reviews, "verdicts": report.verdicts, "corrected_masks": report.corrected,
                "new_frames_before": measured_before, "seconds": round(time.monotonic() - started, 1)}  # fmt: skip

    # 4. Freeze, train, gate, activate: through the API as an admin.
    frozen = _expect(admin.post("/api/training-sets/", {}, format="json"), 201)
    say(args, f"training set v{frozen['version']}: {frozen['items']} items")
    runs = [train(args, admin, wait, "fusqa", frozen["id"], json.loads(args.parameters))]
    if args.segmentation:
        runs.append(train(args, admin, wait, "segmentation", frozen["id"], json.loads(args.segmentation_parameters)))

    # 5. The re-assessment of the recent frames, then new frames under the new models.
    from qa.models import Reassessment

    wait("the re-assessments", lambda: not Reassessment.objects.filter(status__in=["pending", "running"]).exists())
    reassessed = measure(before)  # the first batch, re-judged by the activated versions
    after = send_new_frames(args, NEW_FRAMES_AFTER_INDEX, today)
    wait("the second new frames to be judged", _all_judged)
    measured_after = measure(after)

    drifting_before, drifting_after = measured_before[DRIFTING], measured_after[DRIFTING]
    fusqa_run = runs[0]
    return {
        "reviews": report.reviews,
        "training_seconds": round(sum(r["seconds"] for r in runs), 1),
        "hospitals": hospitals_table(fusqa_run, measured_before, measured_after),
        "drifting_machine": {
            "profile": DRIFTING,
            "frames": drifting_after["frames"],
            "poor_rate_before": drifting_before["poor_rate"],
            "poor_rate_after": drifting_after["poor_rate"],
            "ga_error_good_before": drifting_before["ga_error_good_days"],
            "ga_error_good_after": drifting_after["ga_error_good_days"],
            "reassessed_poor_rate": reassessed[DRIFTING]["poor_rate"],
        },
        "other_machines": {
            profile: {"before": measured_before[profile], "after": measured_after[profile]}
            for profile in measured_before
            if profile != DRIFTING
        },
        "verdicts": report.verdicts,
        "corrected_masks": report.corrected,
        "runs": [{k: v for k, v in r.items() if k != "evaluation"} for r in runs],
        "seconds": round(time.monotonic() - started, 1),
    }


def _all_judged() -> bool:
    from qa.models import ProcessingJob

    return not ProcessingJob.objects.filter(status__in=["pending", "running"]).exists()


def _expect(response, status: int) -> dict:
    if response.status_code != status:
        raise SystemExit(f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}: "
                         f"{response.status_code} {response.content[:500]!r}")  # fmt: skip
    return response.json() if response.content else {}


def train(args, admin, wait, kind: str, training_set: int, parameters: dict) -> dict:
    run = _expect(
        admin.post(
            "/api/training-runs/", {"kind": kind, "training_set": training_set, "parameters": parameters}, format="json"
        ),
        201,
    )
    say(args, f"{kind} run {run['id']} started …")
    last = [0.0]

    def finished():
        now = _expect(admin.get(f"/api/training-runs/{run['id']}/"), 200)
        if time.monotonic() - last[0] > 30:
            last[0] = time.monotonic()
            say(args, f"  {now['status']} {100 * (now['progress'] or 0):.0f} % epoch {now.get('epoch')} "
                      f"loss {now.get('loss')} eta {now.get('eta_seconds')}")  # fmt: skip
        return now if now["status"] in ("done", "failed", "cancelled") else None

    ended = wait(f"{kind} run {run['id']}", finished, interval=2.0)
    if ended["status"] != "done":
        raise SystemExit(f"{kind} run {run['id']} ended {ended['status']}: {ended.get('error')}")
    seconds = dt.datetime.fromisoformat(ended["finished_at"]) - dt.datetime.fromisoformat(ended["started_at"])
    candidate = ended["candidate"]["id"]
    evaluation = _expect(admin.get(f"/api/model-versions/{candidate}/evaluation/"), 200)
    body = {"reason": args.override_reason} if args.override_reason else {}
    answer = admin.post(f"/api/model-versions/{candidate}/activate/", body, format="json")
    activated = answer.status_code == 200
    say(args, f"  {kind} candidate {ended['candidate']['version']}: gate allowed {evaluation.get('allowed')}, "
              f"activated {activated}")  # fmt: skip
    if answer.status_code not in (200, 409):
        _expect(answer, 200)
    return {
        "kind": kind,
        "run": run["id"],
        "candidate": ended["candidate"],
        "seconds": seconds.total_seconds(),
        "gate_allowed": evaluation.get("allowed"),
        "activated": activated,
        "refused": None if activated else answer.json().get("error"),
        "evaluation": evaluation,
    }


def send_new_frames(args, first_index: int, today: dt.date) -> list[tuple[int, object]]:
    """New studies from every demo machine, exam date today, through the real ingest path; returns
    (frame id, phantom scan) pairs: the scan is the truth the GA error is measured against."""
    import dataclasses

    from django.core.files.uploadedfile import SimpleUploadedFile

    from qa.models import Hospital, User
    from qa.services.demo import DEMO_HOSPITALS
    from qa.services.ingest import ingest_upload
    from workers.ml import synth

    uploader = User.objects.get(username="admin")
    sent = []
    for hospital_index, (slug, _, profiles) in enumerate(DEMO_HOSPITALS):
        hospital = Hospital.objects.get(slug=slug)
        for machine_index, name in enumerate(profiles):
            profile = synth.get_profile(name)
            if profile.drift is not None:
                start = (today - dt.timedelta(days=args.drift_from_days_ago)).isoformat()
                profile = dataclasses.replace(profile, drift=dataclasses.replace(profile.drift, start_date=start))
            count = args.new_frames if name == DRIFTING else args.new_frames_other
            for i in range(count):
                seed = 100_000 + 10_000 * hospital_index + 1_000 * machine_index + first_index + i
                scan = synth.generate_scan(profile, seed, study_date=today, follow_drift_schedule=True)
                upload = SimpleUploadedFile(f"{seed}.dcm", synth.scan_to_dicom_bytes(scan), "application/dicom")
                result = ingest_upload(
                    user=uploader, hospital=hospital, uploaded_file=upload,
                    reported_ga_days=scan.ga_days_reported, source="bench:loop",
                )  # fmt: skip
                sent.append((result.frames[0].id, scan))
    return sent


def measure(sent: list[tuple[int, object]]) -> dict[str, dict]:
    """Per machine profile: frames, poor rate (poor among good + poor) and the mean |GA error| (days, against
    the phantom's true GA) of the masks called good, by each frame's counted verdict now."""
    from qa.frame_quality import with_verdict
    from qa.models import Frame, Measurement

    frames = {f.id: f for f in with_verdict(Frame.objects.filter(id__in=[frame_id for frame_id, _ in sent]))}
    ga = dict(
        Measurement.objects.filter(mask_id__in=[f.verdict_mask_id for f in frames.values() if f.verdict_mask_id])
        .order_by("mask_id", "created_at")
        .values_list("mask_id", "ga_days")
    )
    out: dict[str, dict] = {}
    for frame_id, scan in sent:
        frame = frames[frame_id]
        row = out.setdefault(scan.profile, {"frames": 0, "good": 0, "poor": 0, "unknown": 0, "_ga": []})
        row["frames"] += 1
        if frame.verdict in ("good", "poor", "unknown"):
            row[frame.verdict] += 1
        if frame.verdict == "good" and ga.get(frame.verdict_mask_id) is not None:
            row["_ga"].append(abs(ga[frame.verdict_mask_id] - scan.ga_days_true))
    for row in out.values():
        errors = row.pop("_ga")
        judged = row["good"] + row["poor"]
        row["poor_rate"] = round(row["poor"] / judged, 3) if judged else None
        row["ga_error_good_days"] = round(sum(errors) / len(errors), 2) if errors else None
    return out


def hospitals_table(fusqa_run: dict, before: dict, after: dict) -> dict:
    """Per hospital: the gate's metrics (before = the active version, after = the candidate, on the same held-out
    data) and, per machine, the new frames' poor rate and GA error under the old and the new models."""
    from qa.services.demo import DEMO_HOSPITALS

    table: dict[str, dict] = {}
    for row in fusqa_run["evaluation"].get("hospitals", []):
        table[row["hospital"]] = {"gate_before": row.get("baseline"), "gate_after": row.get("candidate")}
    for slug, _, profiles in DEMO_HOSPITALS:
        entry = table.setdefault(slug, {})
        entry["machines"] = {
            profile: {"before": before.get(profile), "after": after.get(profile)}
            for profile in profiles
            if profile in before
        }
    return table


if __name__ == "__main__":
    main()
