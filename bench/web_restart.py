"""Web capacity after a worker restart: requests per gunicorn worker in 10-s windows while locust users read
the studies list, with one worker killed half-way (gunicorn's master starts a new one).

    .venv/bin/python bench/web_restart.py --setup proxy [--duration 120] [--users 8] [--json]

Setups (clients are locust HttpUsers: a keep-alive requests.Session each, 0.2-0.8 s of think time):
  today    straight to gunicorn as compose ran it before deploy/: sync workers, no config file
  gthread  straight to gunicorn gthread (4 threads) with gunicorn's defaults: keep-alive 2 s
  direct   straight to gunicorn with deploy/gunicorn.conf.py (gthread, keep-alive 1 s, max_requests)
  proxy    nginx with the repository's proxy include in front of deploy/gunicorn.conf.py: what compose runs
  pinned   the same nginx with upstream keep-alive (nginx reuses idle connections to gunicorn)

Runs gunicorn with the production settings (random secrets, SSL redirect off: no TLS on loopback) on its own
PostgreSQL database (created on DATABASE_URL's server, dropped afterwards), seeded with one hospital, one QA
manager and --studies studies; the token comes from POST /api/auth/token/. Counts requests per worker pid from
gunicorn's access log (%(p)s) and prints a table, or JSON with --json.
"""

import argparse
import csv
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from deploy.local_nginx import LocalNginx, free_port  # noqa: E402

ACCESS_FORMAT = '%(h)s %(t)s %(p)s "%(r)s" %(s)s %(b)s %(M)sms'
ACCESS_LINE = re.compile(r'\[(?P<time>[^\]]+)\] <(?P<pid>\d+)> "(?P<method>\S+) (?P<path>\S+)')
SETUPS = ("today", "gthread", "direct", "proxy", "pinned")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--setup", choices=SETUPS, required=True)
    parser.add_argument("--duration", type=int, default=120, help="seconds of load")
    parser.add_argument("--kill-at", type=float, default=None, help="seconds into the run (default: half-way)")
    parser.add_argument("--signal", choices=("KILL", "TERM"), default="KILL")
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--keepalive", type=int, default=None, help="gunicorn --keep-alive seconds (0: none)")
    parser.add_argument("--max-requests", type=int, default=None, help="gunicorn --max-requests (no jitter)")
    parser.add_argument("--window", type=int, default=10, help="seconds per counting window")
    parser.add_argument("--wait", type=float, nargs=2, default=(0.2, 0.8), metavar=("MIN", "MAX"))
    parser.add_argument("--studies", type=int, default=40)
    default_server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/x").rsplit("/", 1)[0]
    parser.add_argument("--postgres", default=default_server, help="server URL without the database name")
    parser.add_argument("--json", action="store_true")
    return parser.parse_args()


def gunicorn_command(args: argparse.Namespace, port: int, access_log: Path) -> list[str]:
    setup = args.setup
    base = [sys.executable, "-m", "gunicorn", "fusqa_web.wsgi:application"]
    # Command-line options override the config file: every setup logs the same way, on its own port.
    common = ["--bind", f"127.0.0.1:{port}", "--workers", str(args.workers)]
    common += ["--access-logfile", str(access_log), "--access-logformat", ACCESS_FORMAT]
    if args.keepalive is not None:
        common += ["--keep-alive", str(args.keepalive)]
    if args.max_requests is not None:
        common += ["--max-requests", str(args.max_requests), "--max-requests-jitter", "0"]
    if setup == "today":
        return [*base, *common, "--timeout", "120"]
    if setup == "gthread":
        return [*base, *common, "--worker-class", "gthread", "--threads", "4"]
    return [*base, "--config", str(ROOT / "deploy" / "gunicorn.conf.py"), *common]


def seed(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from qa.models import Hospital, Machine, Role, Study
    from qa.services.accounts import user_upsert

    call_command("migrate", verbosity=0)
    hospital = Hospital.objects.create(name="Bench General", slug="bench-general")
    machine = Machine.objects.create(hospital=hospital, manufacturer="Phantom Medical", model_name="PX-1")
    Study.objects.bulk_create(
        Study(hospital=hospital, machine=machine, patient_key=f"{i:064x}", study_key=f"bench-{i}", reported_ga_days=80)
        for i in range(args.studies)
    )
    user_upsert(username="bench", password="bench-password-123", role=Role.QA_MANAGER, hospitals=[hospital])
    from django.db import connections

    connections.close_all()


def wait_for_http(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            if requests.get(url, timeout=10).status_code == 200:
                return
        except requests.RequestException:  # refused until bound, slow while the workers import Django
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {timeout} s")


def worker_pids(master: int) -> set[int]:
    return {child.pid for child in psutil.Process(master).children()}


def count_windows(access_log: Path, start: float, duration: int, window: int) -> list[Counter]:
    windows = [Counter() for _ in range(-(-duration // window))]
    for line in access_log.read_text().splitlines():
        match = ACCESS_LINE.search(line)
        if not match or not match["path"].startswith("/api/studies/"):
            continue
        at = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
        index = int((at - start) // window)
        if 0 <= index < len(windows):
            windows[index][int(match["pid"])] += 1
    return windows


def locust_totals(csv_prefix: str) -> dict:
    with open(f"{csv_prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    return {"requests": int(total["Request Count"]), "failures": int(total["Failure Count"])}


def run(args: argparse.Namespace, folder: Path) -> dict:
    port = free_port()
    access_log = folder / "access.log"
    env = os.environ.copy()
    gunicorn = subprocess.Popen(
        gunicorn_command(args, port, access_log),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(folder / "gunicorn.log", "wb"),  # noqa: SIM115 - the child writes to it for its lifetime
    )
    nginx = None
    try:
        direct = f"http://127.0.0.1:{port}"
        wait_for_http(f"{direct}/api/auth/csrf/", gunicorn)
        target = direct
        if args.setup in ("proxy", "pinned"):
            pinned = 16 if args.setup == "pinned" else 0
            nginx = LocalNginx(folder / "nginx", f"127.0.0.1:{port}", upstream_keepalive=pinned)
            nginx.folder.mkdir()
            target = nginx.start().url
        response = requests.post(
            f"{target}/api/auth/token/", json={"username": "bench", "password": "bench-password-123"}, timeout=30
        )
        response.raise_for_status()
        token = response.json()["token"]

        csv_prefix = str(folder / "locust")
        locust_env = env | {
            "FUSQA_BENCH_TOKEN": token,
            "FUSQA_BENCH_WAIT_MIN": str(args.wait[0]),
            "FUSQA_BENCH_WAIT_MAX": str(args.wait[1]),
        }
        start = time.time()
        locust = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(ROOT / "bench" / "locust_studies.py"),
                "--headless",
                "--users",
                str(args.users),
                "--spawn-rate",
                str(args.users),
                "--run-time",
                f"{args.duration}s",
                "--host",
                target,
                "--csv",
                csv_prefix,
                "--only-summary",
                "--loglevel",
                "WARNING",
            ],  # fmt: skip
            cwd=ROOT,
            env=locust_env,
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "locust.log", "wb"),  # noqa: SIM115
        )
        kill_at = args.kill_at if args.kill_at is not None else args.duration / 2
        time.sleep(max(0.0, start + kill_at - time.time()))
        # The workers alive now (--max-requests may have replaced the first ones): kill one, the other survives.
        alive = worker_pids(gunicorn.pid)
        victim = min(alive)
        killed = time.time()
        os.kill(victim, getattr(signal, f"SIG{args.signal}"))
        new_pid = None
        while new_pid is None and time.time() < killed + 60:
            fresh = worker_pids(gunicorn.pid) - alive
            new_pid = min(fresh) if fresh else None
            time.sleep(0.05)
        locust.wait(timeout=args.duration + 120)
    finally:
        if nginx:
            nginx.stop()
        gunicorn.terminate()
        gunicorn.wait(timeout=60)

    windows = count_windows(access_log, start, args.duration, args.window)
    survivor = min(alive - {victim})
    first_new = None
    for line in access_log.read_text().splitlines():
        match = ACCESS_LINE.search(line)
        if match and int(match["pid"]) == new_pid:
            first_new = datetime.strptime(match["time"], "%d/%b/%Y:%H:%M:%S %z").timestamp()
            break
    kill_window = int((killed - start) // args.window)
    after = sum((w for w in windows[kill_window + 1 :]), Counter())
    return {
        "setup": args.setup,
        "users": args.users,
        "workers": args.workers,
        "gunicorn_keepalive_s": args.keepalive,
        "gunicorn_max_requests": args.max_requests,
        "duration_s": args.duration,
        "window_s": args.window,
        "wait_s": list(args.wait),
        "signal": args.signal,
        "killed_at_s": round(killed - start, 1),
        "first_request_on_new_worker_s": None if first_new is None else round(first_new - killed, 1),
        "pids": {"killed": victim, "survivor": survivor, "new": new_pid},
        "windows": [
            {
                "from_s": i * args.window,
                "killed": w[victim],
                "survivor": w[survivor],
                "new": w[new_pid] if new_pid else 0,
                # Workers started later (by --max-requests): any pid not named above.
                "others": sum(n for pid, n in w.items() if pid not in (victim, survivor, new_pid)),
            }
            for i, w in enumerate(windows)
        ],
        # The windows wholly after the kill: how the load was shared once the new worker could take some.
        "after_restart": {
            "survivor": after[survivor],
            "new": after[new_pid] if new_pid else 0,
            "new_share": round(after[new_pid] / max(1, sum(after.values())), 3) if new_pid else 0.0,
        },
        "locust": locust_totals(csv_prefix),
    }


def print_table(result: dict) -> None:
    print(
        f"setup={result['setup']} users={result['users']} workers={result['workers']} "
        f"keep-alive={result['gunicorn_keepalive_s'] if result['gunicorn_keepalive_s'] is not None else 'default'} "
        f"killed pid {result['pids']['killed']} (SIG{result['signal']}) at {result['killed_at_s']} s; "
        f"first request on the new worker {result['first_request_on_new_worker_s']} s after the kill"
    )
    print(f"{'window':>9} {'killed':>7} {'survivor':>9} {'new':>6} {'others':>7}")
    for w in result["windows"]:
        span = f"{w['from_s']}-{w['from_s'] + result['window_s']}"
        print(f"{span:>9} {w['killed']:>7} {w['survivor']:>9} {w['new']:>6} {w['others']:>7}")
    a = result["after_restart"]
    print(f"after the restart: survivor {a['survivor']}, new {a['new']} (new worker's share {a['new_share']:.1%})")
    print(f"locust: {result['locust']['requests']} requests, {result['locust']['failures']} failures")


def main() -> None:
    args = parse_args()
    db_name = f"fusqa_bench_web_{uuid.uuid4().hex[:8]}"
    folder = Path(tempfile.mkdtemp(prefix="fusqa-web-restart-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="fusqa_web.settings.production",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        FUSQA_PATIENT_KEY_SECRET=secrets.token_urlsafe(32),
        DJANGO_SECURE_SSL_REDIRECT="false",
        DATABASE_URL=f"{args.postgres}/{db_name}",
        CELERY_BROKER_URL="memory://",
        FUSQA_MEDIA_ROOT=str(folder / "media"),
        DJANGO_LOG_LEVEL="WARNING",
    )
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {db_name}")
    try:
        seed(args)
        result = run(args, folder)
    finally:
        with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    result["logs"] = str(folder)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print_table(result)


if __name__ == "__main__":
    main()
