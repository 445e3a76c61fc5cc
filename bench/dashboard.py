"""Dashboard benchmark: GET /api/dashboard/ for one hospital, from concurrent clients, on N frames of history.

Builds the data in bulk on PostgreSQL (INSERT ... SELECT generate_series: hospitals, machines, studies, frames,
processing jobs, model masks, assessments, measurements, then the rollups with one INSERT ... SELECT), checks
that the bulk rollups equal what the application's own service counts for a sample of days, starts gunicorn,
and drives the endpoint with locust (headless, a separate process) over loopback. Prints one JSON object.

    .venv/bin/python bench/dashboard.py --frames 1000000 --hospitals 50 --json

The data: `--days` of history (default 730) up to today; 3 machines per hospital; 4 frames per study; 2 %
of studies without an exam date, 5 % without a reported GA; per 1,000 frames 10 failed (unknown), 1 pending,
~80 poor, ~10 unknown verdicts. The request is the dashboard's default view: one hospital, the last 90 days,
weekly buckets (`--period-days` changes it). Creates its own database `fusqa_bench_dashboard` (dropped and
rebuilt unless `--reuse` finds it holding the same number of frames) and leaves it for a rerun.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=1_000_000)
    parser.add_argument("--hospitals", type=int, default=50)
    parser.add_argument("--days", type=int, default=730, help="days of history")
    parser.add_argument("--period-days", type=int, default=90, help="the period each request asks for")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=30, help="how long locust drives the endpoint")
    parser.add_argument("--wait", type=float, default=0.0, help="think time between a client's requests, s")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db-name", default="fusqa_bench_dashboard")
    parser.add_argument("--reuse", action="store_true", help="keep the database if it holds --frames frames")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--unlogged", action="store_true", help="build the frame tables UNLOGGED (no WAL: a faster build, same reads)"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON object")
    return parser.parse_args()


def log(args, message: str) -> None:
    """Progress goes to stderr, so stdout holds only the JSON object."""
    print(message, file=sys.stderr, flush=True)


UNLOGGED_ORDER = ("qa_review", "qa_assessment", "qa_measurement", "qa_mask", "qa_processingjob", "qa_frame", "qa_study")
MACHINES_PER_HOSPITAL = 3
FRAMES_PER_STUDY = 4


def build_sql(args) -> list[tuple[str, str]]:
    """(what, SQL) in order. Pseudo-random but repeatable: setseed first, and ids derived from the row number."""
    n, h, days = args.frames, args.hospitals, args.days
    studies = -(-n // FRAMES_PER_STUDY)
    m = MACHINES_PER_HOSPITAL
    return [
        ("seed", "SELECT setseed(0.2026)"),
        (
            "hospitals",
            f"""INSERT INTO qa_hospital (id, name, slug, created_at)
            SELECT i, 'Bench hospital ' || i, 'bench-' || i, now() FROM generate_series(1, {h}) i""",
        ),
        (
            "machines",
            f"""INSERT INTO qa_machine (id, hospital_id, manufacturer, model_name, created_at)
            SELECT i, (i - 1) / {m} + 1, 'Phantom Medical', 'PX-' || ((i - 1) % {m}), now()
            FROM generate_series(1, {h * m}) i""",
        ),
        (
            "studies",
            f"""INSERT INTO qa_study (id, hospital_id, machine_id, patient_key, study_key, exam_date,
                                      reported_ga_days, created_at)
            SELECT s, (s - 1) % {h} + 1, ((s - 1) % {h}) * {m} + (s / {h}) % {m} + 1, md5(s::text),
                   'bench-' || s,
                   CASE WHEN random() < 0.02 THEN NULL ELSE current_date - (random() * {days - 1})::int END,
                   CASE WHEN random() < 0.05 THEN NULL ELSE 60 + random() * 40 END, now()
            FROM generate_series(1, {studies}) s""",
        ),
        (
            "frames",
            f"""INSERT INTO qa_frame (id, hospital_id, study_id, pixels, width, height, spacing_row_mm,
                                      spacing_col_mm, spacing_source, source, source_file, sop_instance_uid,
                                      frame_number, created_at)
            SELECT i, s.hospital_id, s.id, 'frames/bench.png', 768, 576, 0.2, 0.2, 'request', 'png', '',
                   'bench-' || s.id, (i - 1) % {FRAMES_PER_STUDY} + 1,
                   coalesce(s.exam_date, current_date - (random() * {days - 1})::int)::timestamptz
                       + interval '10 hours'
            FROM generate_series(1, {n}) i JOIN qa_study s ON s.id = (i - 1) / {FRAMES_PER_STUDY} + 1""",
        ),
        (
            "jobs",
            f"""INSERT INTO qa_processingjob (id, frame_id, status, reason, attempts, worker, created_at,
                                              queued_at, started_at, finished_at)
            SELECT i, i, CASE WHEN i % 100 = 7 THEN 'failed' WHEN i % 1000 = 3 THEN 'pending' ELSE 'done' END,
                   CASE WHEN i % 100 = 7 THEN 'bench: failed' ELSE '' END, 1, 'bench', now(), now(), now(),
                   CASE WHEN i % 1000 = 3 THEN NULL ELSE now() END
            FROM generate_series(1, {n}) i""",
        ),
        (
            "masks",
            f"""INSERT INTO qa_mask (id, frame_id, kind, version, model_version_id, data, area_px, created_at)
            SELECT i, i, 'model', 1, (SELECT id FROM qa_modelversion WHERE kind = 'segmentation'),
                   'masks/bench.png', 1000, now()
            FROM generate_series(1, {n}) i WHERE i % 100 <> 7 AND i % 1000 <> 3""",
        ),
        (
            "assessments",
            """INSERT INTO qa_assessment (id, mask_id, model_version_id, p_good, label, created_at)
            SELECT id, id, (SELECT id FROM qa_modelversion WHERE kind = 'fusqa'), r,
                   CASE WHEN r < 0.01 THEN 'unknown' WHEN r < 0.09 THEN 'poor' ELSE 'good' END, now()
            FROM (SELECT id, random() AS r FROM qa_mask) masks""",
        ),
        (
            "measurements",
            """INSERT INTO qa_measurement (id, mask_id, crl_mm, p1_row, p1_col, p2_row, p2_col, ga_days, formula,
                                           in_formula_range, created_at)
            SELECT a.id, a.mask_id, 45, 10, 12, 30, 52,
                   coalesce(s.reported_ga_days, 80)
                       + (random() - 0.5) * CASE WHEN a.label = 'good' THEN 6 ELSE 30 END,
                   'robinson', true, now()
            FROM qa_assessment a JOIN qa_frame f ON f.id = a.mask_id JOIN qa_study s ON s.id = f.study_id
            WHERE a.label <> 'unknown' AND a.id % 50 <> 11""",
        ),
        ("rollups", rollup_sql()),
        (
            "sequences",
            """SELECT setval(pg_get_serial_sequence(t, 'id'), (SELECT coalesce(max(id), 1) FROM qa_frame))
            FROM unnest(ARRAY['qa_frame', 'qa_study', 'qa_mask', 'qa_assessment', 'qa_measurement',
                              'qa_processingjob', 'qa_hospital', 'qa_machine']) t""",
        ),
        ("analyse", "ANALYZE"),
    ]


def rollup_sql() -> str:
    """The rollups of the bulk data in one statement: the same counting as qa.services.rollups (here every
    frame has at most one mask, assessment, measurement and job, so plain joins find its latest)."""
    bins = ", ".join(
        f"count(*) FILTER (WHERE label = '{{label}}' AND diff IS NOT NULL AND width_bucket(diff, -14, 14, 14) = {b})"
        for b in range(16)
    )
    return f"""
    INSERT INTO qa_dailyquality (hospital_id, machine_id, day, good, poor, unknown, ga_good_count, ga_good_abs_sum,
        ga_poor_count, ga_poor_abs_sum, ga_histogram, good_without_reported_ga, poor_without_reported_ga,
        good_without_measured_ga, poor_without_measured_ga, updated_at)
    SELECT hospital_id, machine_id, day,
           count(*) FILTER (WHERE label = 'good'), count(*) FILTER (WHERE label = 'poor'),
           count(*) FILTER (WHERE label = 'unknown'),
           count(*) FILTER (WHERE label = 'good' AND diff IS NOT NULL),
           coalesce(sum(abs(diff)) FILTER (WHERE label = 'good'), 0),
           count(*) FILTER (WHERE label = 'poor' AND diff IS NOT NULL),
           coalesce(sum(abs(diff)) FILTER (WHERE label = 'poor'), 0),
           jsonb_build_object('good', jsonb_build_array({bins.format(label="good")}),
                              'poor', jsonb_build_array({bins.format(label="poor")})),
           count(*) FILTER (WHERE label = 'good' AND reported IS NULL),
           count(*) FILTER (WHERE label = 'poor' AND reported IS NULL),
           count(*) FILTER (WHERE label = 'good' AND reported IS NOT NULL AND measured IS NULL),
           count(*) FILTER (WHERE label = 'poor' AND reported IS NOT NULL AND measured IS NULL),
           now()
    FROM (
        SELECT f.hospital_id, s.machine_id,
               coalesce(s.exam_date, (f.created_at AT TIME ZONE 'UTC')::date) AS day,
               coalesce(a.label, CASE WHEN j.status = 'failed' THEN 'unknown' END) AS label,
               s.reported_ga_days AS reported, m.ga_days AS measured, m.ga_days - s.reported_ga_days AS diff
        FROM qa_frame f
        JOIN qa_study s ON s.id = f.study_id
        LEFT JOIN qa_mask k ON k.frame_id = f.id AND k.kind = 'model'
        LEFT JOIN qa_assessment a ON a.mask_id = k.id
        LEFT JOIN qa_measurement m ON m.mask_id = k.id
        LEFT JOIN qa_processingjob j ON j.frame_id = f.id
    ) verdicts
    WHERE label IS NOT NULL
    GROUP BY hospital_id, machine_id, day"""


def prepare_database(args) -> dict:
    import psycopg

    url = f"{args.postgres}/{args.db_name}"
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [args.db_name]).fetchone()
    if exists and args.reuse:
        with psycopg.connect(url) as conn:
            held = conn.execute("SELECT count(*) FROM qa_frame").fetchone()[0]
        if held == args.frames:
            log(args, f"reusing {args.db_name} with {held} frames")
            # The code may have moved on since the build: bring the schema up to date (new tables only).
            subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
            return {"build_s": None}
    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {args.db_name}")
        admin.execute(f"CREATE DATABASE {args.db_name}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=os.environ)
    import django

    django.setup()
    from qa.models import ModelKind, ModelVersion

    for kind in (ModelKind.SEGMENTATION, ModelKind.FUSQA):
        ModelVersion.objects.create(kind=kind, version="bench", weights_file="bench.pt", sha256="0" * 64)
    timings = {}
    with psycopg.connect(url) as conn:
        if args.unlogged:
            # Referencing tables first: a logged table may not point at an unlogged one.
            for table in UNLOGGED_ORDER:
                conn.execute(f"ALTER TABLE {table} SET UNLOGGED")
        deferred = _drop_indexes_and_keys(conn) if args.unlogged else []
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET maintenance_work_mem = '512MB'")
        conn.execute("SET work_mem = '256MB'")
        for what, sql in build_sql(args):
            started = time.perf_counter()
            conn.execute(sql)
            conn.commit()
            timings[what] = round(time.perf_counter() - started, 1)
            log(args, f"{what}: {timings[what]} s")
            if what == "measurements" and deferred:
                started = time.perf_counter()
                for sql in deferred:  # indexes built once over the loaded rows, then the keys checked once
                    conn.execute(sql)
                conn.commit()
                timings["indexes"] = round(time.perf_counter() - started, 1)
                log(args, f"indexes and keys: {timings['indexes']} s")
    return {"build_s": round(sum(timings.values()), 1), "rollups_s": timings["rollups"]}


COMPARED = (
    "hospital_id",
    "machine_id",
    "day",
    "good",
    "poor",
    "unknown",
    "ga_good_count",
    "ga_poor_count",
    "good_without_reported_ga",
    "poor_without_reported_ga",
    "good_without_measured_ga",
    "poor_without_measured_ga",
)


def _drop_indexes_and_keys(conn) -> list[str]:
    """Drop the frame tables' secondary indexes, unique and foreign keys before the bulk load; returns the
    statements that put them back (run once the rows are in: one sorted build per index, one join per key)."""
    tables = list(UNLOGGED_ORDER)
    constraints = conn.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), contype FROM pg_constraint
        WHERE conrelid::regclass::text = ANY(%s) AND contype IN ('f', 'u')""",
        [tables],
    ).fetchall()
    indexes = conn.execute(
        """SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))""",
        [tables],
    ).fetchall()
    for table, name, _, _kind in sorted(constraints, key=lambda c: c[3]):  # foreign keys first
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    conn.commit()
    restore = [definition for _, definition in indexes]
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, kind in constraints if kind == "u"]
    restore += [f'ALTER TABLE {t} ADD CONSTRAINT "{n}" {d}' for t, n, d, kind in constraints if kind == "f"]
    return restore


def check_rollups_against_the_service(hospital_id: int, sample: int = 8) -> bool:
    """The bulk rollups of a few days equal what qa.services.rollups counts for them from the same rows."""
    from qa.models import DailyQuality, Machine
    from qa.services.rollups import frame_verdicts, frames_of_days, rollups_add

    held = sorted(set(DailyQuality.objects.filter(hospital_id=hospital_id).values_list("day", flat=True)))
    days = held[:: max(1, len(held) // sample)]

    machines = Machine.objects.filter(hospital_id=hospital_id).values_list("id", flat=True)
    counted: dict = {}
    rollups_add(counted, frame_verdicts(frames_of_days({(hospital_id, m, d) for m in machines for d in days})))

    def as_tuple(row) -> tuple:
        sums = (round(row.ga_good_abs_sum, 6), round(row.ga_poor_abs_sum, 6))
        return (*(getattr(row, f) for f in COMPARED), sums, json.dumps(row.ga_histogram, sort_keys=True))

    stored = DailyQuality.objects.filter(hospital_id=hospital_id, day__in=days)
    return len(counted) > 0 and sorted(map(as_tuple, counted.values())) == sorted(map(as_tuple, stored))


def bench_user_token(hospital_id: int) -> str:
    from knox.models import AuthToken

    from qa.models import Hospital, Membership, Role, User

    user, _ = User.objects.get_or_create(username="bench-qa", defaults={"role": Role.QA_MANAGER})
    Membership.objects.get_or_create(user=user, hospital=Hospital.objects.get(pk=hospital_id))
    # A knox token straight from the model: the bench makes one user, not a login storm.
    return AuthToken.objects.create(user=user)[1]


def wait_for(url: str, token: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        try:
            request = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def main() -> None:
    args = parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fusqa_web.settings.local",
        DJANGO_DEBUG="false",
        DATABASE_URL=f"{args.postgres}/{args.db_name}",
        DATABASE_CONN_MAX_AGE="600",
        DJANGO_LOG_LEVEL="WARNING",
    )
    built = prepare_database(args)
    import django

    django.setup()
    hospital_id = 1
    today = date.today()
    checked = check_rollups_against_the_service(hospital_id)
    from django.db import connection

    with connection.cursor() as cursor:  # as built, also when reused
        cursor.execute("SELECT relpersistence = 'u' FROM pg_class WHERE relname = 'qa_frame'")
        unlogged = cursor.fetchone()[0]
    token = bench_user_token(hospital_id)

    path = f"/api/dashboard/?hospital={hospital_id}"
    if args.period_days != 90:
        path += f"&from={today - timedelta(days=args.period_days - 1)}&to={today}"
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "fusqa_web.wsgi", "-w", str(args.workers), "-b", f"127.0.0.1:{args.port}"],
        cwd=ROOT,
        env=os.environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        body = wait_for(base + path, token)
        for _ in range(20):  # every worker connected and warm
            wait_for(base + path, token)
        out = Path(tempfile.mkdtemp(prefix="fusqa-bench-dashboard-"))
        subprocess.run(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(ROOT / "bench" / "dashboard_locustfile.py"),
                "--headless",
                "-u",
                str(args.clients),
                "-r",
                str(args.clients),
                "--run-time",
                f"{args.seconds}s",
                "--host",
                base,
                "--csv",
                str(out / "run"),
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],
            env={**os.environ, "BENCH_PATH": path, "BENCH_TOKEN": token, "BENCH_WAIT": str(args.wait)},
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        with open(out / "run_stats.csv") as handle:
            row = next(r for r in csv.DictReader(handle) if r["Name"] == "dashboard")
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(timeout=30)

    result = {
        "frames": args.frames,
        "hospitals": args.hospitals,
        "p50_ms": float(row["50%"]),
        "p95_ms": float(row["95%"]),
        "p99_ms": float(row["99%"]),
        "rps": round(float(row["Requests/s"]), 1),
        "requests": int(row["Request Count"]),
        "failures": int(row["Failure Count"]),
        "clients": args.clients,
        "wait_s": args.wait,
        "gunicorn_workers": args.workers,
        "period_days": args.period_days,
        "hospital_frames_in_period": body["totals"]["frames"],
        "rollups_match_service": checked,
        "unlogged_build": unlogged,
        # The machine's load when locust finished: on a shared box it says what the latencies were up against.
        "loadavg_1m": round(load_after, 1),
        "cpus": os.cpu_count(),
        **built,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
