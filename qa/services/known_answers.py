"""Known-answer review items: frames whose right answer is known, to measure each expert's accuracy.

Two sources (docs/review.md):
- phantom: the phantom generator (workers.ml.synth) draws a frame and its ground-truth mask; the item shown
  is that mask itself or a damaged version of it (workers.ml.synth.degradations), and its expected answer is
  the label rule (workers.ml.fusqa.labels.quality_label, what training uses) of the shown mask against the
  ground truth. Damage between the rule's thresholds is drawn again: a known answer is never ambiguous. The
  frame, the shown mask, the active classifier's p(good) and the CRL/GA measurement are stored as the
  workers would store them, in a Study flagged `known_answer` so no QA manager's view ever counts it.
- adjudicated: an ordinary double-read item whose two reads gave the same good/poor verdict (and, when
  both corrected, corrections with Dice >= 0.90): the agreed verdict is its answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import random
import uuid
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from scipy import ndimage

from qa.errors import Conflict, InvalidInput
from qa.models import (
    Assessment,
    AuditAction,
    Frame,
    FrameSource,
    Hospital,
    KnownAnswer,
    KnownAnswerSource,
    Mask,
    MaskKind,
    ModelKind,
    ModelStatus,
    ModelVersion,
    Review,
    Study,
    User,
    Verdict,
)
from qa.services.audit import audit_record
from qa.services.image_store import grey_png_bytes
from qa.services.item_agreement import item_agreement
from qa.services.processing import mask_png, measurement_row
from workers.ml.crl import crl_from_mask
from workers.ml.fusqa.labels import quality_label
from workers.ml.ga import gestational_age_days
from workers.ml.synth import degradations, profiles
from workers.ml.synth.scan import generate_scan

logger = logging.getLogger(__name__)

# Kinds drawn for damage ("swap" needs a second scan); about one item in four shows the ground truth itself.
DAMAGE_KINDS = tuple(kind for kind in degradations.DEGRADATION_KINDS if kind != "swap")
UNDAMAGED_SHARE = 0.25
ADJUDICATED_MIN_DICE = 0.90
_DRAWS_PER_ITEM = 12

Assessor = Callable[[np.ndarray, np.ndarray], float]


def _active(kind: str) -> ModelVersion:
    version = ModelVersion.objects.filter(kind=kind, status=ModelStatus.ACTIVE).first()
    if version is None:
        raise Conflict(
            f"No active {kind} model: register the models first (manage.py register_models).", code="no_active_model"
        )
    return version


def _classifier(version: ModelVersion) -> Assessor:
    """The active FUSQA classifier's p(good), so the item carries the score the workers would give it."""
    from workers.ml import fusqa

    model = fusqa.load_model(settings.FUSQA_WEIGHTS_DIR / version.weights_file)
    return lambda image, mask: float(model.predict([image], [mask])[0])


def _profile_for(hospital: Hospital):
    """A phantom machine profile matching one of the hospital's machines (by manufacturer and model), so a
    known-answer frame looks like the hospital's own; else the first profile, without a machine."""
    machines = {(m.manufacturer.lower(), m.model_name.lower()): m for m in hospital.machines.all()}
    for name in profiles.list_profiles():
        profile = profiles.get_profile(name)
        machine = machines.get((profile.manufacturer.lower(), profile.model_name.lower()))
        if machine is not None:
            return profile, machine
    return profiles.get_profile(profiles.list_profiles()[0]), None


def _shown_mask(scan, rng: np.random.Generator) -> tuple[np.ndarray, dict, str]:
    """The mask an expert will judge, what was done to it, and its label against the ground truth."""
    truth = scan.mask
    formula = settings.FUSQA_GA_FORMULA
    for _ in range(_DRAWS_PER_ITEM):
        if rng.random() < UNDAMAGED_SHARE:
            shown, damage = truth, {"degradation": "none", "severity": 0.0}
        else:
            kind = str(rng.choice(DAMAGE_KINDS))
            severity = float(rng.uniform(0.15, 1.0))
            shown = degradations.degrade_mask(
                scan.labels, kind, severity, rng, spacing_mm=scan.spacing_mm, tissue=scan.tissue
            ).mask
            damage = {"degradation": kind, "severity": round(severity, 3)}
        if not shown.any():
            continue
        judged = quality_label(shown, truth, scan.spacing_mm, formula=formula)
        # A "good" mask with a detached piece (a blob off the fetus) passes the rule, which measures the largest
        # component, yet a careful expert rightly calls it poor: such an answer is not known, draw again.
        if judged.label == "good" and ndimage.label(shown)[1] > 1:
            continue
        if judged.label is not None:
            numbers = {
                "dice": round(judged.dice, 4),
                "crl_error": round(judged.crl_error, 4),
                "ga_error_days": round(judged.ga_error_days, 2),
            }
            return shown, {**damage, **numbers}, judged.label
    raise RuntimeError(f"no unambiguous damage drawn for phantom seed {scan.seed}")


def known_answers_seed_phantoms(
    *,
    hospital_slug: str,
    count: int,
    seed: int | None = None,
    actor: User | None = None,
    source: str = "command",
    assess: Assessor | None = None,
) -> list[KnownAnswer]:
    """`count` phantom known-answer items in the hospital `hospital_slug`, each stored in its own transaction."""
    hospital = Hospital.objects.filter(slug=hospital_slug).first()
    if hospital is None:
        raise InvalidInput(f"No hospital with slug {hospital_slug!r}.", field="hospital")
    if not 1 <= count <= 1000:
        raise InvalidInput("count must be between 1 and 1000.", field="count")
    segmentation, classifier = _active(ModelKind.SEGMENTATION), _active(ModelKind.FUSQA)
    assess = assess or _classifier(classifier)
    profile, machine = _profile_for(hospital)
    seed = random.SystemRandom().randrange(1, 2**31) if seed is None else seed
    made = []
    for index in range(count):
        scan_seed = seed + index
        scan = generate_scan(profile, scan_seed, study_date=timezone.now().date() - dt.timedelta(days=index % 60))
        shown, detail, label = _shown_mask(scan, np.random.default_rng([scan_seed, 7]))
        image = _deidentified(scan)
        made.append(
            _phantom_store(
                hospital=hospital,
                machine=machine,
                scan=scan,
                image=image,
                shown=shown,
                label=label,
                detail={"profile": scan.profile, "seed": scan_seed, **detail},
                p_good=assess(image, shown),
                segmentation=segmentation,
                classifier=classifier,
                actor=actor,
            )
        )
    audit_record(
        actor=actor,
        action=AuditAction.KNOWN_ANSWERS_CREATED,
        hospital=hospital,
        source=source,
        detail={
            "source": KnownAnswerSource.PHANTOM,
            "count": len(made),
            "known_answers": [item.pk for item in made],
            "expected": {
                verdict: sum(1 for item in made if item.expected_verdict == verdict) for verdict in ("good", "poor")
            },
        },
    )
    return made


def _deidentified(scan) -> np.ndarray:
    """The phantom's pixels as ingest would keep them: everything outside the imaged region blanked."""
    image = np.zeros_like(scan.image)
    col0, row0, col1, row1 = scan.region_box
    image[row0 : row1 + 1, col0 : col1 + 1] = scan.image[row0 : row1 + 1, col0 : col1 + 1]
    return image


def _phantom_store(
    *, hospital, machine, scan, image, shown, label, detail, p_good, segmentation, classifier, actor
) -> KnownAnswer:
    stored: list = []
    try:
        with transaction.atomic():
            key = uuid.uuid4().hex
            study = Study.objects.create(
                hospital=hospital,
                machine=machine,
                patient_key=hashlib.sha256(f"known-answer-patient-{key}".encode()).hexdigest(),
                study_key=hashlib.sha256(f"known-answer-study-{key}".encode()).hexdigest(),
                exam_date=scan.study_date,
                reported_ga_days=scan.ga_days_reported,
                known_answer=True,
            )
            frame = Frame(
                hospital=hospital,
                study=study,
                width=image.shape[1],
                height=image.shape[0],
                spacing_row_mm=scan.spacing_mm[0],
                spacing_col_mm=scan.spacing_mm[1],
                spacing_source="ultrasound_region",
                source=FrameSource.DICOM,
                sop_instance_uid=hashlib.sha256(f"known-answer-sop-{key}".encode()).hexdigest(),
            )
            frame.pixels.save(f"{key}.png", ContentFile(grey_png_bytes(image)), save=False)
            stored.append(frame.pixels)
            frame.save(force_insert=True)
            mask = Mask(
                frame=frame, kind=MaskKind.MODEL, version=1, model_version=segmentation, area_px=int(shown.sum())
            )
            mask.data.save(f"frame{frame.pk}-{segmentation.pk}.png", ContentFile(mask_png(shown)), save=False)
            stored.append(mask.data)
            mask.save(force_insert=True)
            good = p_good >= settings.FUSQA_GOOD_THRESHOLD
            Assessment.objects.create(
                mask=mask,
                model_version=classifier,
                p_good=min(max(p_good, 0.0), 1.0),
                label=Assessment.Label.GOOD if good else Assessment.Label.POOR,
            )
            crl = crl_from_mask(shown, scan.spacing_mm)
            measurement_row(mask=mask, crl=crl, ga=gestational_age_days(crl.crl_mm, settings.FUSQA_GA_FORMULA)).save()
            known = KnownAnswer(
                mask=mask,
                frame=frame,
                source=KnownAnswerSource.PHANTOM,
                expected_verdict=label,
                expected_label=label,
                detail=detail,
                created_by=actor,
            )
            known.reference.save(f"reference-{key}.png", ContentFile(mask_png(scan.mask)), save=False)
            stored.append(known.reference)
            known.save(force_insert=True)
    except BaseException:
        for field_file in stored:
            field_file.storage.delete(field_file.name)
        raise
    return known


def known_answers_adjudicate(*, actor: User | None = None, source: str = "command") -> list[KnownAnswer]:
    """Every ordinary double-read item whose first two reads agree (same good/poor verdict; corrections, when
    both drew one, with Dice >= 0.90) becomes an adjudicated known-answer item, once."""
    reads: dict[int, list[Review]] = defaultdict(list)
    reviews = (
        Review.objects.filter(
            known_answer_correct__isnull=True,
            mask__kind=MaskKind.MODEL,
            mask__known_answer__isnull=True,
            mask__frame__study__known_answer=False,
        )
        .select_related("corrected_mask", "mask__frame__hospital")
        .order_by("created_at", "id")
    )
    for review in reviews:
        reads[review.mask_id].append(review)
    made = []
    for first, second in (pair[:2] for pair in reads.values() if len(pair) >= 2):
        if first.verdict != second.verdict or first.verdict not in (Verdict.GOOD, Verdict.POOR):
            continue
        agreement = item_agreement([first, second], {})
        if agreement.correction_dice is not None and agreement.correction_dice < ADJUDICATED_MIN_DICE:
            continue
        made.append(
            KnownAnswer.objects.create(
                mask_id=first.mask_id,
                frame_id=first.mask.frame_id,
                source=KnownAnswerSource.ADJUDICATED,
                expected_verdict=first.verdict,
                expected_label=first.verdict,
                detail={"reviews": [first.pk, second.pk], "correction_dice": agreement.correction_dice},
                created_by=actor,
            )
        )
    if made:
        audit_record(
            actor=actor,
            action=AuditAction.KNOWN_ANSWERS_CREATED,
            source=source,
            detail={
                "source": KnownAnswerSource.ADJUDICATED,
                "count": len(made),
                "known_answers": [item.pk for item in made],
            },
        )
    return made
