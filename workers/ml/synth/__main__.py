"""python -m workers.ml.synth --profile NAME --n N --seed S --out DIR   |   --list-profiles"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from .output import write_scans
from .profiles import get_profile, list_profiles, load_profile, register_profile
from .scan import generate_scan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.ml.synth", description=__doc__)
    parser.add_argument("--list-profiles", action="store_true", help="print the machine profiles and exit")
    parser.add_argument("--profile", action="append", help="profile name (repeatable; 'all' for every one)")
    parser.add_argument("--profile-json", action="append", default=[], help="load an extra profile from JSON")
    parser.add_argument("--n", type=int, default=10, help="frames per profile")
    parser.add_argument("--seed", type=int, default=0, help="first seed; frame i uses seed + i")
    parser.add_argument("--out", help="output directory")
    parser.add_argument("--drift", type=float, default=0.0, help="apply the profile's drift (0..1)")
    parser.add_argument("--study-date", type=dt.date.fromisoformat, help="study date (YYYY-MM-DD) for all frames")
    parser.add_argument("--follow-drift-schedule", action="store_true", help="drift as the profile's schedule says")
    args = parser.parse_args(argv)

    for path in args.profile_json:
        register_profile(load_profile(path))
    if args.list_profiles:
        for name in list_profiles():
            p = get_profile(name)
            print(
                f"{name:28s} {p.manufacturer} {p.model_name}: {p.center_frequency_mhz:.1f} MHz, "
                f"DR {p.dynamic_range_db:.0f} dB, gain {p.gain_db:+.0f} dB, {p.sector_angle_deg:.0f} deg, "
                f"{p.image_rows}x{p.image_cols}" + (f", drifts from {p.drift.start_date}" if p.drift else "")
            )
        return 0
    if not args.profile or not args.out:
        parser.error("--profile and --out are required (or use --list-profiles)")
    names = list_profiles() if "all" in args.profile else args.profile
    scans = (
        generate_scan(
            name,
            args.seed + i,
            study_date=args.study_date,
            drift=args.drift,
            follow_drift_schedule=args.follow_drift_schedule,
        )
        for name in names
        for i in range(args.n)
    )
    manifest = write_scans(scans, args.out)
    print(f"wrote {args.n * len(names)} frames; manifest {manifest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
