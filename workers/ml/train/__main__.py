"""Train on phantoms from the command line.

    python -m workers.ml.train segmentation --out workers/weights/segmentation.pt --seconds 600
    python -m workers.ml.train fusqa --out workers/weights/fusqa.pt --seconds 600 [--architecture compact]

Profiles default to every machine of hospital A; hold the others out for evaluation.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workers.ml.train")
    parser.add_argument("task", choices=["segmentation", "fusqa"])
    parser.add_argument("--out", required=True)
    parser.add_argument("--profiles", nargs="*", help="machine profiles (default: hospital_a/*)")
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=600.0, help="wall-clock training budget")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument(
        "--frames", type=int, default=400,
        help="phantom frames generated up front (the generator makes ~10/s/core, slower than training);"
        " segmentation with 0 streams fresh frames instead",
    )  # fmt: skip
    parser.add_argument("--architecture", default="compact")
    parser.add_argument(
        "--quality-augment", type=float, default=1.0,
        help="fusqa: share scale of the label-preserving crop augmentations (train.quality_augment); 0 = off",
    )  # fmt: skip
    args = parser.parse_args(argv)

    from workers.ml.synth.profiles import list_profiles
    from workers.ml.train import train_fusqa, train_segmentation
    from workers.ml.train.phantoms import quality_samples, segmentation_stream

    profiles = args.profiles or [p for p in list_profiles() if p.startswith("hospital_a")]

    def progress(info: dict) -> None:
        print(json.dumps(info), file=sys.stderr, flush=True)

    val_seed = args.seed + 1_000_000  # held-out seeds, same machines
    if args.task == "segmentation":
        val = [next(segmentation_stream(profiles, val_seed + i)) for i in range(24)]
        stream = segmentation_stream(profiles, args.seed)
        samples = list(itertools.islice(stream, args.frames)) if args.frames > 0 else stream
        result = train_segmentation(
            samples, steps=args.steps, seed=args.seed, batch_size=args.batch_size,
            val_samples=val, time_budget_s=args.seconds, progress=progress, out_path=args.out,
        )  # fmt: skip
    else:
        result = train_fusqa(
            quality_samples(profiles, args.frames, args.seed), steps=args.steps, seed=args.seed,
            architecture=args.architecture, batch_size=args.batch_size, quality_augment=args.quality_augment,
            val_samples=quality_samples(profiles, max(20, args.frames // 5), val_seed),
            time_budget_s=args.seconds, progress=progress, out_path=args.out,
        )  # fmt: skip
    print(json.dumps({"checkpoint": str(result.checkpoint), **result.metrics}, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
