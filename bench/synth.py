"""Phantom generation speed: frames per second at 512 x 512 on this machine (one process, one thread).

    .venv/bin/python bench/synth.py [--n 60] [--profile hospital_a/voluson_e8]

The first frame of each zoom step builds its cached grids; the figure excludes a warm-up pass.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workers.ml.synth import generate_scan, get_profile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--profile", default="hospital_a/voluson_e8")
    args = parser.parse_args()
    profile = get_profile(args.profile)
    for seed in range(1000, 1000 + 16):  # warm the per-zoom caches
        generate_scan(profile, seed)
    start, cpu_start = time.perf_counter(), time.process_time()
    for seed in range(args.n):
        generate_scan(profile, seed)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    # Wall time suffers when other processes share the two cores; CPU time says what one free
    # core would give.
    print(
        f"{args.profile} {profile.image_rows}x{profile.image_cols}: "
        f"{args.n / elapsed:.1f} frames/s wall ({1000 * elapsed / args.n:.1f} ms/frame), "
        f"{args.n / cpu:.1f} frames/s per CPU-second ({1000 * cpu / args.n:.1f} ms), {args.n} frames"
    )


if __name__ == "__main__":
    main()
