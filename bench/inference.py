"""Real-time screening: the whole chain (segment -> assess -> measure) per frame, torch and ONNX Runtime.

    .venv/bin/python bench/inference.py [--frames 40] [--threads 2] [--profile hospital_b/epiq_7] [--json]

Loads the shipped weights (workers/weights/{segmentation,fusqa}.pt) at their shipped input size,
runs phantom frames of the profile's native size through workers.ml.inference.FramePipeline and
prints, per back end: the median per-frame latency at batch 1 (with its stages), and the
throughput at batch 16 (frames/s). Target: <= 16 ms per frame (>= 60 frames/s) on 2 CPU cores.

Machines differ (and these cores are shared), so the same run also times a 1024 x 1024 x 1024
float32 matmul in torch with the same thread count, and prints the chain's batch-1 time per frame as
a multiple of it: the number to compare between machines. Target: <= 1.0 for ONNX at batch 1.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def matmul_ms(repeats: int = 15) -> float:
    """Median time of a 1024 x 1024 x 1024 float32 matmul in torch (at torch's current thread count)."""
    import numpy as np
    import torch

    a, b = torch.rand(1024, 1024), torch.rand(1024, 1024)
    for _ in range(3):
        a @ b
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def measure(pipeline, frames, spacing, repeats: int) -> dict:
    import numpy as np

    for frame in frames[:5]:  # warm-up: allocators, ORT arenas, first-call paths
        pipeline.run([frame], spacing)
    totals, stages = [], []
    for i in range(repeats):
        frame = frames[i % len(frames)]
        start = time.perf_counter()
        result = pipeline.run([frame], spacing)[0]
        totals.append((time.perf_counter() - start) * 1e3)
        stages.append(result.latency_ms)
    batch = [frames[i % len(frames)] for i in range(16)]
    pipeline.run(batch, spacing)
    runs = 4
    start = time.perf_counter()
    for _ in range(runs):
        pipeline.run(batch, spacing)
    per_frame_batched = (time.perf_counter() - start) * 1e3 / (16 * runs)
    names = [k for k in stages[0] if k != "total"]
    return {
        "batch1_ms_median": float(np.median(totals)),
        "batch1_ms_p90": float(np.percentile(totals, 90)),
        "batch1_fps": 1e3 / float(np.median(totals)),
        "batch1_stages_ms": {k: float(np.median([s[k] for s in stages])) for k in names},
        "batch16_ms_per_frame": per_frame_batched,
        "batch16_fps": 1e3 / per_frame_batched,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=40, help="batch-1 repeats")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--profile", default="hospital_b/epiq_7")
    parser.add_argument("--backends", nargs="*", default=["torch", "onnx"])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    from workers.ml import synth
    from workers.ml.inference import load_pipeline

    scans = [synth.generate_scan(args.profile, seed=900_000 + i) for i in range(16)]
    frames, spacing = [s.image for s in scans], scans[0].spacing_mm
    results = {}
    reference = [matmul_ms()]
    for backend in args.backends:
        pipeline = load_pipeline(backend=backend, device="cpu")
        results[backend] = measure(pipeline, frames, spacing, args.frames)
        reference.append(matmul_ms())
    # Before and after the chains: the cores are shared, so the matmul is taken as their median.
    matmul = float(sorted(reference)[len(reference) // 2])
    for r in results.values():
        r["batch1_matmul_ratio"] = r["batch1_ms_median"] / matmul
    info = {
        "profile": args.profile,
        "frame_shape": list(frames[0].shape),
        "segmentation_input": pipeline.segmenter.input_size,
        "fusqa_input": pipeline.assessor.input_size,
        "threads": args.threads,
        "matmul_1024_ms": matmul,
        "results": results,
    }
    if args.json:
        print(json.dumps(info, indent=2))
        return
    print(
        f"{args.profile} frames {frames[0].shape[0]}x{frames[0].shape[1]}, networks at "
        f"{info['segmentation_input']} / {info['fusqa_input']} px, {args.threads} threads; "
        f"1024^3 float32 matmul (torch, {args.threads} threads): {matmul:.1f} ms"
    )
    for backend, r in results.items():
        stages = ", ".join(f"{k} {v:.1f}" for k, v in r["batch1_stages_ms"].items())
        print(
            f"  {backend:<5} batch 1: {r['batch1_ms_median']:.1f} ms/frame (p90 {r['batch1_ms_p90']:.1f}; "
            f"{r['batch1_fps']:.0f} fps; {r['batch1_matmul_ratio']:.2f} x the matmul)  [{stages}]\n"
            f"        batch 16: {r['batch16_ms_per_frame']:.1f} ms/frame ({r['batch16_fps']:.0f} fps)"
        )


if __name__ == "__main__":
    main()
