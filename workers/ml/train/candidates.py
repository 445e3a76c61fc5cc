"""Candidate masks for the FUSQA classifier, labelled, and turned into network inputs.

For each phantom frame the candidates are
- the reference mask itself ("reference"),
- synth.degrade_mask of every kind in DEGRADATION_KINDS at a drawn severity (graded damage,
  including mirrored, shifted and swapped-in masks: plausible shapes that disagree with the image,
  FINDINGS lesson 2),
- masks stretched or shrunk along the CRL axis ("stretch": CRL off by a share of the fetus while
  the outline stays smooth, lesson 3),
- hard negatives (train.hard_negatives: the outline on maternal tissue, head or body only, merged
  with a neighbouring structure), when asked for,
- the real outputs of segmentation models ("seg_<name>"), e.g. early / mid / final snapshots of
  the segmentation training and a deliberately weak model: the errors a model actually makes.

Each candidate is labelled by labels.quality_label against the reference (the middle band is
kept with label -1 so that evaluation can count what it drops), and stored as the classifier's
input (float16, 2 x S x S) with its kind, Dice, CRL / GA errors and the GA it gives: the masks
themselves are not kept (a full-resolution mask per candidate would not fit in memory).
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from workers.ml.crl import EmptyMaskError, crl_from_mask
from workers.ml.fusqa.crop import quality_input
from workers.ml.fusqa.labels import dice, label_from_errors
from workers.ml.ga import gestational_age_days
from workers.ml.train.datasets import PhantomFrame
from workers.ml.train.hard_negatives import hard_negatives
from workers.ml.train.phantoms import _stretch

Severity = Callable[[np.random.Generator], float]


def mild_skewed(rng: np.random.Generator) -> float:
    """Training severities: most damage is mild, where good turns into poor (lesson 4)."""
    return float(rng.uniform() ** 2)


def uniform(rng: np.random.Generator) -> float:
    """Test severities: the generator's grading as it is."""
    return float(rng.uniform())


@dataclass
class CandidateSet:
    """Parallel arrays, one entry per candidate mask."""

    x: np.ndarray  # float16 (N, 2, S, S): the classifier's input
    label: np.ndarray  # int8: 1 good, 0 poor, -1 between the thresholds
    kind: np.ndarray  # str: reference, a degradation kind, stretch, seg_<model>
    severity: np.ndarray  # float (nan for reference and model outputs)
    dice: np.ndarray
    crl_error: np.ndarray  # relative, signed
    ga_error_days: np.ndarray  # vs the reference mask's GA, signed
    ga_days: np.ndarray  # the GA this mask gives (nan if empty)
    ga_days_reference: np.ndarray  # the GA the reference mask gives (the expert's)
    ga_days_reported: np.ndarray  # the clinic's recorded GA (truth + dating noise)
    profile: np.ndarray
    seed: np.ndarray
    meta: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.label)

    def subset(self, keep: np.ndarray) -> CandidateSet:
        keep = np.asarray(keep)
        fields = {k: getattr(self, k)[keep] for k in self.__dataclass_fields__ if k != "meta"}
        return CandidateSet(**fields, meta=dict(self.meta))

    def labelled(self) -> CandidateSet:
        """Only the candidates with a label (the middle band dropped)."""
        return self.subset(self.label >= 0)

    @staticmethod
    def concatenate(parts: Sequence[CandidateSet]) -> CandidateSet:
        parts = [p for p in parts if len(p)]
        names = [k for k in CandidateSet.__dataclass_fields__ if k != "meta"]
        return CandidateSet(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})


def _same_shape_other(frames: Sequence[PhantomFrame], i: int) -> np.ndarray | None:
    """The labels of the nearest earlier (else later) frame of the same shape: the swap donor."""
    shape = frames[i].labels.shape
    for j in [*range(i - 1, -1, -1), *range(i + 1, len(frames))]:
        if frames[j].labels.shape == shape:
            return frames[j].labels
    return None


def frame_candidates(
    frame: PhantomFrame,
    rng: np.random.Generator,
    *,
    kinds: Sequence[str],
    severity: Severity,
    other: np.ndarray | None,
    stretches: int,
    hard: bool = False,
) -> list[tuple[str, float, np.ndarray]]:
    """(kind, severity, mask) for one frame, the reference first."""
    from workers.ml.synth import degrade_mask

    out: list[tuple[str, float, np.ndarray]] = [("reference", float("nan"), frame.mask)]
    for kind in kinds:
        if kind == "swap" and other is None:
            continue
        s = severity(rng)
        damaged = degrade_mask(
            frame.labels, kind, s, rng, spacing_mm=frame.spacing_mm, tissue=frame.tissue,
            other=other if kind == "swap" else None,
        )  # fmt: skip
        out.append((kind, s, damaged.mask))
    if stretches:
        crl = crl_from_mask(frame.mask, frame.spacing_mm)
        for factor in rng.uniform(0.85, 1.15, stretches):
            out.append(("stretch", float(abs(factor - 1)), _stretch(frame.mask, float(factor), crl.p1, crl.p2)))
    if hard:
        crl = crl_from_mask(frame.mask, frame.spacing_mm)
        crl_px = float(np.hypot(crl.p1[0] - crl.p2[0], crl.p1[1] - crl.p2[1]))
        out += [
            (k, float("nan"), m) for k, m in hard_negatives(frame.labels, frame.tissue, frame.spacing_mm, crl_px, rng)
        ]
    return out


def _describe(
    frame: PhantomFrame,
    kind: str,
    severity: float,
    mask: np.ndarray,
    size: int,
    margin: float,
    ref_crl: float,
    forced_label: int | None = None,
) -> dict:
    """One candidate's label (labels.quality_label's rule, the reference CRL measured once per
    frame, unless ``forced_label`` says it: a mask on another view is poor whatever it overlaps) and
    its network input (square pixels first, crop.quality_input)."""
    ref_ga = gestational_age_days(ref_crl).days
    d = dice(mask, frame.mask)
    try:
        crl = crl_from_mask(mask, frame.spacing_mm).crl_mm
        ga = gestational_age_days(crl).days
        verdict = label_from_errors(d, (crl - ref_crl) / ref_crl, ga - ref_ga)
        crl_error, ga_error = (crl - ref_crl) / ref_crl, ga - ref_ga
    except EmptyMaskError:
        ga, verdict, crl_error, ga_error = float("nan"), "poor", -1.0, float("-inf")
    label = -1 if verdict is None else int(verdict == "good")
    if forced_label is not None:
        label = forced_label
    return {
        "x": quality_input(frame.image, mask, size, margin, spacing_mm=frame.spacing_mm).astype(np.float16),
        "label": label,
        "kind": kind,
        "severity": severity,
        "dice": d,
        "crl_error": crl_error,
        "ga_error_days": ga_error,
        "ga_days": ga,
        "ga_days_reference": ref_ga,
        "ga_days_reported": frame.ga_days_reported,
        "profile": frame.profile,
        "seed": frame.seed,
    }


def _rows_to_set(rows: list[dict]) -> CandidateSet:
    if not rows:
        raise ValueError("no candidates")
    return CandidateSet(
        x=np.stack([r["x"] for r in rows]),
        label=np.array([r["label"] for r in rows], np.int8),
        kind=np.array([r["kind"] for r in rows]),
        severity=np.array([r["severity"] for r in rows], float),
        dice=np.array([r["dice"] for r in rows], float),
        crl_error=np.array([r["crl_error"] for r in rows], float),
        ga_error_days=np.array([r["ga_error_days"] for r in rows], float),
        ga_days=np.array([r["ga_days"] for r in rows], float),
        ga_days_reference=np.array([r["ga_days_reference"] for r in rows], float),
        ga_days_reported=np.array([r["ga_days_reported"] for r in rows], float),
        profile=np.array([r["profile"] for r in rows]),
        seed=np.array([r["seed"] for r in rows], int),
    )


def _chunk_job(args) -> list[dict]:
    import torch

    torch.set_num_threads(1)  # one process per core
    frames, others, model_masks, start, seed, kinds, severity, stretches, size, margin, hard = args
    rows = []
    for k, frame in enumerate(frames):
        rng = np.random.default_rng([seed, start + k])
        ref_crl = crl_from_mask(frame.mask, frame.spacing_mm).crl_mm
        cands = frame_candidates(
            frame, rng, kinds=kinds, severity=severity, other=others[k], stretches=stretches, hard=hard
        )
        cands += [(f"seg_{name}", float("nan"), masks[k]) for name, masks in model_masks.items()]
        rows += [_describe(frame, kind, s, m, size, margin, ref_crl) for kind, s, m in cands if np.any(m)]
    return rows


def build_candidates(
    frames: Sequence[PhantomFrame],
    *,
    seed: int,
    kinds: Sequence[str] | None = None,
    severity: Severity = mild_skewed,
    stretches: int = 2,
    model_masks: Mapping[str, Sequence[np.ndarray]] | None = None,
    size: int = 128,
    margin: float = 0.25,
    processes: int = 1,
    hard: bool = False,
) -> CandidateSet:
    """All candidates of ``frames``; model_masks: name -> one predicted mask per frame; hard: add
    the hard negatives (train.hard_negatives: maternal tissue, head or body only, merges)."""
    from workers.ml.synth import DEGRADATION_KINDS

    kinds = tuple(DEGRADATION_KINDS if kinds is None else kinds)
    model_masks = dict(model_masks or {})
    others = [_same_shape_other(frames, i) for i in range(len(frames))]
    step = max(1, -(-len(frames) // (4 * max(1, processes))))
    jobs = [
        (
            list(frames[i : i + step]),
            others[i : i + step],
            {n: list(m[i : i + step]) for n, m in model_masks.items()},
            i,
            seed,
            kinds,
            severity,
            stretches,
            size,
            margin,
            hard,
        )  # fmt: skip
        for i in range(0, len(frames), step)
    ]
    if processes > 1:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn")) as pool:
            chunks = list(pool.map(_chunk_job, jobs))
    else:
        chunks = [_chunk_job(job) for job in jobs]
    return _rows_to_set([row for chunk in chunks for row in chunk])


def poor_by_definition(
    pairs: Sequence[tuple[PhantomFrame, str, np.ndarray]], *, size: int = 128, margin: float = 0.25
) -> CandidateSet | None:
    """(frame, kind, mask) candidates that are poor whatever their overlap with the frame's reference
    (masks on another view, train.other_views); None when no mask has a pixel."""
    rows = []
    for frame, kind, mask in pairs:
        if np.any(mask):
            ref_crl = crl_from_mask(frame.mask, frame.spacing_mm).crl_mm
            rows.append(_describe(frame, kind, float("nan"), mask, size, margin, ref_crl, forced_label=0))
    return _rows_to_set(rows) if rows else None


def label_decisions(cs: CandidateSet) -> dict:
    """How often the label's GA term decides (FINDINGS lesson 9: with the old CRL terms, never).

    ga_makes_poor: Dice >= poor_below_dice but |GA error| > poor_above_ga_error_days (poor by GA alone);
    ga_blocks_good: Dice >= good_min_dice but |GA error| > good_max_ga_error_days (not good because of
    GA: poor or dropped). The same counts under the previous rule (CRL 5 % / 10 %, GA 2 / 4 d) for
    comparison."""
    from workers.ml.fusqa.labels import LABEL_THRESHOLDS as t

    ga = np.abs(cs.ga_error_days)
    crl = np.abs(cs.crl_error)
    out = {
        "candidates": int(len(cs)),
        "good": int((cs.label == 1).sum()),
        "poor": int((cs.label == 0).sum()),
        "dropped": int((cs.label < 0).sum()),
        "ga_makes_poor": int(((cs.dice >= t.poor_below_dice) & (ga > t.poor_above_ga_error_days)).sum()),
        "ga_blocks_good": int(((cs.dice >= t.good_min_dice) & (ga > t.good_max_ga_error_days)).sum()),
    }
    old_poor_by_ga = (cs.dice >= 0.80) & (crl <= 0.10) & (ga > 4.0)
    old_good_blocked_by_ga = (cs.dice >= 0.90) & (crl <= 0.05) & (ga > 2.0)
    out["previous_rule_ga_makes_poor"] = int(old_poor_by_ga.sum())
    out["previous_rule_ga_blocks_good"] = int(old_good_blocked_by_ga.sum())
    return out
