"""Freezing every reviewed item into a versioned training set (docs/training_sets.md), and handing it out.

A freeze reads the reviewed model masks (phantom known-answer studies left out), copies each frame and
mask PNG into a zip with a JSON-lines manifest holding every file's sha256, stores the zip, and only then
numbers it: the version is the next free one, taken in a short transaction after the slow part, so two
admins freezing at once get two consecutive versions. Never rebuilt: a new freeze is a new version.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import zipfile
from collections import Counter
from dataclasses import dataclass

import numpy as np
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Max, Prefetch
from PIL import Image

from qa.errors import Conflict
from qa.models import AuditAction, Mask, MaskKind, Review, TrainingLabel, TrainingSet, User
from qa.services.audit import audit_record
from qa.services.image_store import grey_png_bytes
from qa.services.item_agreement import correction_crls, item_agreement

logger = logging.getLogger(__name__)

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_VERSION_TRIES = 5


@dataclass(frozen=True)
class FrozenArchive:
    items: int
    summary: dict  # counts per label, hospital, machine and split; reviews, corrections; hospital_ids


def reviewed_masks():
    """The items of a training set: model masks with at least one review, of ordinary (not phantom
    known-answer) studies, oldest frame first, with everything the manifest needs in a few queries."""
    reviews = Review.objects.select_related("expert", "corrected_mask").order_by("created_at", "id")
    corrections = Mask.objects.filter(kind=MaskKind.EXPERT).select_related("created_by").order_by("created_at", "id")
    return (
        Mask.objects.filter(kind=MaskKind.MODEL, reviews__isnull=False, frame__study__known_answer=False)
        .distinct()
        .select_related("frame__study__machine", "frame__hospital", "model_version")
        .prefetch_related(Prefetch("reviews", queryset=reviews), Prefetch("children", queryset=corrections))
        .order_by("frame_id", "id")
    )


def item_training_label(labels: list[str]) -> str:
    """The item's label from its reads' labels: the one label its usable reads agree on; `excluded` when
    they disagree or when every read is excluded."""
    usable = {label for label in labels if label and label != TrainingLabel.EXCLUDED}
    return usable.pop() if len(usable) == 1 else TrainingLabel.EXCLUDED


def _grey_png(stored, *, binary: bool) -> bytes:
    """The stored PNG's bytes as they are when already 8-bit grey (what ingest and the services write),
    else re-encoded: masks to 0/255, frames to 8-bit grey."""
    with stored.open("rb") as handle:
        data = handle.read()
    if data[:8] == _PNG_SIGNATURE and data[24] == 8 and data[25] == 0:  # IHDR: bit depth 8, colour type grey
        if not binary:
            return data
        values = np.unique(np.asarray(Image.open(io.BytesIO(data))))
        if set(values.tolist()) <= {0, 255}:
            return data
    array = np.asarray(Image.open(io.BytesIO(data)).convert("L"))
    return grey_png_bytes((array > 0).astype(np.uint8) * 255 if binary else array)


def _manifest_line(mask: Mask, archive: zipfile.ZipFile, written: set[str]) -> dict:
    # Imported here: the package workers.ml.train loads torch, which the web process never needs otherwise.
    from workers.ml.train.training_set import split_of_study

    frame = mask.frame
    study = frame.study

    def add(path: str, data: bytes) -> dict:
        if path not in written:
            archive.writestr(zipfile.ZipInfo(path, date_time=(2000, 1, 1, 0, 0, 0)), data, zipfile.ZIP_STORED)
            written.add(path)
        return {"path": path, "sha256": hashlib.sha256(data).hexdigest()}

    reviews = list(mask.reviews.all())
    corrections = list(mask.children.all())
    crl = correction_crls([c.pk for c in corrections])
    exam_day = study.exam_date or frame.created_at.date()
    return {
        "frame_id": frame.pk,
        "study_id": study.pk,
        "hospital": frame.hospital.slug,
        "machine": study.machine_id,
        "machine_name": str(study.machine) if study.machine else None,
        "exam_month": f"{exam_day:%Y-%m}",
        "spacing_mm": [frame.spacing_row_mm, frame.spacing_col_mm],
        "reported_ga_days": study.reported_ga_days,
        "frame": add(f"frames/{frame.pk}.png", _grey_png(frame.pixels, binary=False)),
        "mask": {
            "id": mask.pk,
            **add(f"masks/{mask.pk}.png", _grey_png(mask.data, binary=True)),
            "model_version": mask.model_version.version if mask.model_version else None,
        },
        "corrections": [
            {
                "id": c.pk,
                **add(f"masks/{c.pk}.png", _grey_png(c.data, binary=True)),
                "expert": c.created_by.get_username() if c.created_by else None,
                "crl_mm": crl.get(c.pk),
            }
            for c in corrections
        ],
        "reviews": [
            {
                "expert": r.expert.get_username(),
                "verdict": r.verdict,
                "training_label": r.training_label,
                "label_dice": r.label_dice,
                "label_crl_error": r.label_crl_error,
                "label_ga_error_days": r.label_ga_error_days,
                "seconds_spent": r.seconds_spent,
                "corrected_mask_id": r.corrected_mask_id,
            }
            for r in reviews
        ],
        "training_label": item_training_label([r.training_label for r in reviews]),
        "reference_mask_id": corrections[-1].pk if corrections else None,
        "agreement": item_agreement(reviews, crl).as_dict(),
        "split": split_of_study(study.pk),
    }


def training_archive_write(target) -> FrozenArchive:
    """Write the zip of every reviewed item to the open binary file `target`. Conflict when nothing is reviewed."""
    from workers.ml.train.training_set import MANIFEST

    masks = reviewed_masks()
    if not masks.exists():
        raise Conflict(
            "Nothing has been reviewed yet: a training set needs at least one reviewed item.",
            code="nothing_reviewed",
        )
    lines, written = [], set()
    with zipfile.ZipFile(target, "w") as archive:
        for mask in masks.iterator(chunk_size=200):
            lines.append(_manifest_line(mask, archive, written))
        manifest = "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines).encode()
        archive.writestr(zipfile.ZipInfo(MANIFEST, date_time=(2000, 1, 1, 0, 0, 0)), manifest, zipfile.ZIP_DEFLATED)
    summary = {
        "labels": dict(Counter(line["training_label"] for line in lines)),
        "hospitals": dict(Counter(line["hospital"] for line in lines)),
        "machines": dict(Counter(line["machine_name"] or "unknown" for line in lines)),
        "splits": dict(Counter(line["split"] for line in lines)),
        "reviews": sum(len(line["reviews"]) for line in lines),
        "corrections": sum(len(line["corrections"]) for line in lines),
        "hospital_ids": sorted(set(masks.values_list("frame__hospital_id", flat=True))),
    }
    return FrozenArchive(items=len(lines), summary=summary)


def training_set_freeze(*, actor: User, source: str = "") -> TrainingSet:
    """Freeze every reviewed item into the next version. 409 `nothing_reviewed` when there is nothing."""
    with tempfile.TemporaryFile() as spool:
        frozen = training_archive_write(spool)
        spool.seek(0)
        digest = hashlib.file_digest(spool, "sha256").hexdigest()
        spool.seek(0)
        training_set = TrainingSet(items=frozen.items, summary=frozen.summary, sha256=digest, created_by=actor)
        training_set.archive.save(f"training-set-{digest[:16]}.zip", File(spool), save=False)
    try:
        _number_and_record(training_set, frozen=frozen, actor=actor, source=source)
    except BaseException:
        training_set.archive.storage.delete(training_set.archive.name)
        raise
    return training_set


def _number_and_record(training_set: TrainingSet, *, frozen: FrozenArchive, actor: User, source: str) -> None:
    for attempt in range(_VERSION_TRIES):
        try:
            with transaction.atomic():
                training_set.version = (TrainingSet.objects.aggregate(v=Max("version"))["v"] or 0) + 1
                training_set.save(force_insert=True)
                _record_export(
                    training_set,
                    actor=actor,
                    source=source,
                    step="frozen",
                    masks=frozen.items,
                    hospitals=frozen.summary["hospital_ids"],
                )
            return
        except IntegrityError:
            # Another freeze took this version number first; the next one is free.
            training_set.pk = None
            if attempt == _VERSION_TRIES - 1:
                raise


def training_set_download(*, actor: User, training_set: TrainingSet, source: str = "") -> TrainingSet:
    """Record that `actor` downloads this set; the caller streams `training_set.archive`."""
    _record_export(
        training_set,
        actor=actor,
        source=source,
        step="downloaded",
        masks=training_set.items,
        hospitals=sorted(training_set.summary.get("hospital_ids", [])),
    )
    return training_set


def _record_export(
    training_set: TrainingSet, *, actor: User, source: str, step: str, masks: int, hospitals: list[int]
) -> None:
    """The TRAINING_SET_EXPORTED audit row for one step of a set's export (frozen, then each download)."""
    audit_record(
        actor=actor,
        action=AuditAction.TRAINING_SET_EXPORTED,
        target=training_set,
        source=source,
        detail={
            "step": step,
            "version": training_set.version,
            "masks": masks,
            "hospitals": hospitals,
            "format": "zip",
            "sha256": training_set.sha256,
        },
    )
