"""Learning value: which waiting review item teaches the models most, and why it is in the queue.

A pure function of numbers the queue reads from the database, so it is tested on its own.

The score is a weighted sum of four parts, each in [0, 1] (so the score is in [0, 1] too):

- uncertainty (weight 0.40): the classifier's own doubt. 1 for an "unknown" assessment (out of
  distribution: nothing the model says about it can be trusted), else 1 at p(good) = threshold falling
  linearly to 0 at p = 0 or 1. Labels near the decision boundary move the classifier most.
- GA discordance (weight 0.30): |GA from the mask's CRL - the reported GA|, saturating at 14 days. Two
  weeks apart means the mask (or the dating) is wrong; either way an expert's look is worth a lot.
  Without a measurement or a reported GA this part is 0.
- open alert (weight 0.20): 1 when the frame belongs to an open (unacknowledged) drift alert of its
  machine or hospital, from the alert's start on: the shift the shipped models miss is what the next
  training set needs.
- rare machine (weight 0.10): 1 / (1 + reviewed / 20), where `reviewed` counts the reviews already given
  on the frame's machine: machines little seen in the training set are worth a label each.

Weights sum to 1. Uncertainty leads because it is the classic active-learning signal and is known for
every item; the other three are tie-breakers that bring in clinical discordance and distribution shift.
"""

from __future__ import annotations

from dataclasses import dataclass

WEIGHT_UNCERTAINTY = 0.40
WEIGHT_GA_DISCORDANCE = 0.30
WEIGHT_OPEN_ALERT = 0.20
WEIGHT_RARE_MACHINE = 0.10
GA_DISCORDANCE_SATURATES_DAYS = 14.0
RARE_MACHINE_SCALE = 20.0

# A part at or above this share of its maximum names a reason for the item being in the queue.
REASON_AT = 0.5


@dataclass(frozen=True)
class LearningValue:
    score: float
    reasons: list[dict]


def learning_value(
    *,
    p_good: float | None,
    assessment_label: str | None,
    threshold: float,
    crl_ga_days: float | None,
    reported_ga_days: float | None,
    in_open_alert: bool,
    machine_reviews: int,
    unknown_reasons: list[str] | None = None,
) -> LearningValue:
    """The item's score and its reasons ({"code", "message"}), strongest first."""
    parts: list[tuple[float, float, str, str]] = []  # (weight, part, code, message)

    if assessment_label == "unknown" or p_good is None:
        uncertainty = 1.0
        message = "the classifier could not judge this mask (unknown)"
        if unknown_reasons:
            message += ": " + "; ".join(unknown_reasons)
    else:
        span = threshold if p_good < threshold else 1.0 - threshold
        uncertainty = 1.0 - min(abs(p_good - threshold) / span, 1.0) if span > 0 else 0.0
        message = f"p(good) {p_good:.2f} is near the threshold {threshold:.2f}"
    parts.append((WEIGHT_UNCERTAINTY, uncertainty, "uncertain", message))

    if crl_ga_days is not None and reported_ga_days is not None:
        gap = abs(crl_ga_days - reported_ga_days)
        discordance = min(gap / GA_DISCORDANCE_SATURATES_DAYS, 1.0)
        message = f"GA from the CRL is {gap:.1f} days from the reported GA"
    else:
        discordance, message = 0.0, ""
    parts.append((WEIGHT_GA_DISCORDANCE, discordance, "ga_discordant", message))

    parts.append(
        (WEIGHT_OPEN_ALERT, 1.0 if in_open_alert else 0.0, "open_alert", "the frame is in an open drift alert")
    )

    rarity = 1.0 / (1.0 + max(machine_reviews, 0) / RARE_MACHINE_SCALE)
    parts.append(
        (WEIGHT_RARE_MACHINE, rarity, "rare_machine", f"its machine has {machine_reviews} reviews in the training set")
    )

    score = sum(weight * part for weight, part, _, _ in parts)
    named = sorted((p for p in parts if p[1] >= REASON_AT), key=lambda p: -p[0] * p[1])
    reasons = [{"code": code, "message": message} for _, _, code, message in named]
    if not reasons:
        reasons = [{"code": "unreviewed", "message": "not reviewed yet"}]
    return LearningValue(score=round(score, 6), reasons=reasons)


def needs_double_read(frame_id: int, share: float) -> bool:
    """Whether a frame is read by two experts: a stable choice per frame (Knuth's multiplicative hash of
    its id, spread over [0, 1)), so the same frame is always single- or double-read whatever the order
    of the queue, and about `share` of frames are."""
    if share <= 0:
        return False
    if share >= 1:
        return True
    return ((frame_id * 2654435761) % 2**32) / 2**32 < share
