"""Where an upload's time goes: the upload side of bench/pipeline.py (the same phantom PNGs through
POST /api/uploads/, in process, Redis as the broker, no worker) under cProfile. Prints uploads/s, ms per
upload and the top entries by cumulative and by own time.

`--code DIR` runs another checkout's code (e.g. main) with this script, for a before/after on one machine.

    .venv/bin/python bench/upload_profile.py --uploads 100
"""

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--uploads", type=int, default=100)
parser.add_argument("--profile", default="hospital_b/aplio_i700")
parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
parser.add_argument("--redis", default="redis://127.0.0.1:6379/13")
parser.add_argument("--code", type=Path, default=Path(__file__).resolve().parents[1], help="checkout whose code runs")
parser.add_argument("--top", type=int, default=25)
WARM_UP = 5


def main() -> None:
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    from bench.scratch import png, scratch_database, upload_png

    with scratch_database(postgres=args.postgres, broker=args.redis, prefix="fusqa_bench_upload"):
        from rest_framework.test import APIClient

        from qa.models import Hospital, Role
        from qa.services.accounts import user_upsert
        from workers.ml import synth

        hospital = Hospital.objects.create(name="Bench", slug="bench")
        user = user_upsert(username="bench", password="bench-pw-123", role=Role.QA_MANAGER, hospitals=[hospital])
        client = APIClient()
        client.force_authenticate(user)
        scans = [synth.generate_scan(args.profile, seed=seed) for seed in range(args.uploads + WARM_UP)]
        blobs = [png(scan.image) for scan in scans]

        def upload(i: int) -> None:
            upload_png(client, i, blob=blobs[i], hospital_id=hospital.id, spacing_mm=scans[i].spacing_mm[0])

        for i in range(WARM_UP):
            upload(i)
        profile = cProfile.Profile()
        started = time.perf_counter()
        profile.enable()
        for i in range(WARM_UP, WARM_UP + args.uploads):
            upload(i)
        profile.disable()
        seconds = time.perf_counter() - started
        import qa

        print(f"code {Path(qa.__file__).parent.parent}")
        print(f"{args.uploads} uploads ({scans[0].image.shape[1]}x{scans[0].image.shape[0]} px PNG, {args.profile})")
        print(f"uploads/s {args.uploads / seconds:7.1f}   ms per upload {1000 * seconds / args.uploads:7.1f}")
        stats = pstats.Stats(profile)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
