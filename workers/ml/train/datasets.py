"""Phantom frames for training and evaluation, generated once and cached on disk.

The protocol of the FUSQA paper: everything trains on hospital A's machines, the test is
hospital B's (unseen) machines. The seed ranges below keep every split's anatomy apart (the
generator draws the anatomy from the seed alone, so one seed on two machines is the same fetus).

A cache file is keyed by the split's name and seeds; beside it, ``<key>.json`` records the
fingerprint of the generator's source (workers/ml/synth/*.py and machines/*.json) it was made
with. A cache made by another generator version is still used (the phantoms change often while
the generator is polished, and a run must see one set of frames) but reported as stale; pass
``fresh=True`` (CLI: --fresh-phantoms) to regenerate it.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SYNTH_DIR = Path(__file__).resolve().parent.parent / "synth"
DEFAULT_CACHE_DIR = Path(os.environ.get("FUSQA_CACHE_DIR", Path(__file__).resolve().parents[3] / "var" / "cache"))

TRAIN_HOSPITAL = "hospital_a"
TEST_HOSPITAL = "hospital_b"


@dataclass(frozen=True)
class Split:
    """A named set of phantom frames: ``count`` seeds from ``first_seed``, profiles in turn."""

    name: str
    hospital: str
    first_seed: int
    count: int

    def seeds(self) -> list[int]:
        return list(range(self.first_seed, self.first_seed + self.count))


# The seed ranges never overlap: each split's fetuses are its own.
SEGMENTATION_TRAIN = Split("segmentation_train", TRAIN_HOSPITAL, 0, 600)
FUSQA_TRAIN = Split("fusqa_train", TRAIN_HOSPITAL, 100_000, 960)
FUSQA_CALIBRATION = Split("fusqa_calibration", TRAIN_HOSPITAL, 200_000, 160)  # also segmentation val
UNSEEN_TEST = Split("unseen_test", TEST_HOSPITAL, 300_000, 240)
# The far held-out profile: hospital C's transvaginal probe (small embryos, 7.5 MHz), never trained on.
FAR_HOSPITAL = "hospital_c"
FAR_TEST = Split("far_test", FAR_HOSPITAL, 400_000, 120)


@dataclass(frozen=True, eq=False)
class PhantomFrame:
    """What training and evaluation need of a synth.SyntheticScan (pickles small and fast)."""

    image: np.ndarray  # uint8 H x W
    labels: np.ndarray  # uint8: 0 background, 1 head, 2 body
    tissue: np.ndarray  # uint8 anatomy.TISSUE_* (for the leak degradations)
    spacing_mm: tuple[float, float]
    ga_days_true: float
    ga_days_reported: float  # true GA + dating noise, what the clinic's records say
    profile: str
    seed: int

    @property
    def mask(self) -> np.ndarray:
        return self.labels > 0


def synth_fingerprint() -> str:
    """sha256 (first 12 hex digits) of the generator's source and machine profiles."""
    digest = hashlib.sha256()
    for path in sorted([*SYNTH_DIR.glob("*.py"), *SYNTH_DIR.glob("machines/*.json")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def profiles_of(hospital: str) -> list[str]:
    from workers.ml.synth import list_profiles

    return [p for p in list_profiles() if p.startswith(hospital + "/")]


def _one_frame(job: tuple[str, int]) -> PhantomFrame:
    from workers.ml.synth import generate_scan

    profile, seed = job
    scan = generate_scan(profile, seed)
    return PhantomFrame(
        image=scan.image,
        labels=scan.labels.astype(np.uint8),
        tissue=np.asarray(scan.tissue).astype(np.uint8),
        spacing_mm=tuple(float(s) for s in scan.spacing_mm),
        ga_days_true=float(scan.ga_days_true),
        ga_days_reported=float(scan.ga_days_reported),
        profile=scan.profile,
        seed=int(seed),
    )


def generate_frames(
    profiles: Sequence[str], seeds: Sequence[int], *, processes: int = 1, progress: Callable[[dict], None] | None = None
) -> list[PhantomFrame]:
    """One frame per seed, profiles taken in turn (seed i -> profiles[i % len(profiles)])."""
    jobs = [(profiles[i % len(profiles)], s) for i, s in enumerate(seeds)]
    out: list[PhantomFrame] = []
    if processes > 1:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            for frame in pool.map(_one_frame, jobs, chunksize=8):
                out.append(frame)
                if progress and len(out) % 50 == 0:
                    progress({"stage": "phantoms", "done": len(out), "total": len(jobs)})
    else:
        for job in jobs:
            out.append(_one_frame(job))
            if progress and len(out) % 50 == 0:
                progress({"stage": "phantoms", "done": len(out), "total": len(jobs)})
    return out


def cached_frames(
    split: Split,
    *,
    cache_dir: str | Path | None = None,
    count: int | None = None,
    processes: int = 1,
    progress: Callable[[dict], None] | None = None,
    fresh: bool = False,
) -> list[PhantomFrame]:
    """The split's frames (the first ``count`` of them if given), from the cache or generated."""
    split = Split(split.name, split.hospital, split.first_seed, count or split.count)
    profiles = profiles_of(split.hospital)
    key = f"{split.name}-{split.first_seed}-{split.count}"
    path = Path(cache_dir or DEFAULT_CACHE_DIR) / f"{key}.pkl"
    # A cache made by another version of the generator is stale: it is made again, never reused.
    if (
        path.is_file()
        and not fresh
        and cache_fingerprint(split, cache_dir=cache_dir, count=count) == synth_fingerprint()
    ):
        with open(path, "rb") as handle:
            return pickle.load(handle)
    fingerprint = synth_fingerprint()
    frames = generate_frames(profiles, split.seeds(), processes=processes, progress=progress)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with open(tmp, "wb") as handle:
        pickle.dump(frames, handle, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    path.with_suffix(".json").write_text(json.dumps({"synth_fingerprint": fingerprint, "profiles": profiles}))
    return frames


def cache_fingerprint(split: Split, *, cache_dir: str | Path | None = None, count: int | None = None) -> str | None:
    """The synth fingerprint the split's cache was made with (None if not cached)."""
    key = f"{split.name}-{split.first_seed}-{count or split.count}"
    sidecar = Path(cache_dir or DEFAULT_CACHE_DIR) / f"{key}.json"
    return json.loads(sidecar.read_text())["synth_fingerprint"] if sidecar.is_file() else None
