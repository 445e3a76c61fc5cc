from django.conf import settings
from django.db import models

from qa.models.modelling import ModelVersion
from qa.models.studies import Frame


class MaskKind(models.TextChoices):
    MODEL = "model", "Model output"
    EXPERT = "expert", "Expert correction"
    REFERENCE = "reference", "Reference (ground truth)"


class Mask(models.Model):
    """A binary fetus mask of a frame. Never overwritten: a correction is a new row with a parent."""

    frame = models.ForeignKey(Frame, on_delete=models.PROTECT, related_name="masks")
    kind = models.CharField(max_length=16, choices=MaskKind.choices)
    version = models.PositiveIntegerField(help_text="1, 2, 3… per frame, in order of creation")
    model_version = models.ForeignKey(
        ModelVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="masks"
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="masks"
    )
    data = models.FileField(upload_to="masks/%Y/%m/%d/")
    area_px = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["frame_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["frame", "version"], name="mask_version_unique_per_frame"),
            # One model version makes one mask per frame: a re-delivered task cannot make a second.
            models.UniqueConstraint(
                fields=["frame", "model_version"],
                condition=models.Q(kind="model"),
                name="mask_one_per_frame_and_model",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="model") | models.Q(model_version__isnull=False),
                name="mask_model_kind_has_model_version",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="expert") | models.Q(created_by__isnull=False),
                name="mask_expert_kind_has_author",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="mask_version_from_one"),
        ]

    def __str__(self) -> str:
        return f"mask v{self.version} ({self.kind}) of frame {self.frame_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a mask is never overwritten: create a new version with this one as parent")
        super().save(*args, **kwargs)


class Assessment(models.Model):
    """The FUSQA classifier's verdict on one mask."""

    class Label(models.TextChoices):
        GOOD = "good", "Good"
        POOR = "poor", "Poor"
        # Out of distribution, or an implausible mask: FUSQA's good/poor says nothing about it.
        UNKNOWN = "unknown", "Unknown"

    mask = models.ForeignKey(Mask, on_delete=models.PROTECT, related_name="assessments")
    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="assessments")
    p_good = models.FloatField()
    label = models.CharField(max_length=8, choices=Label.choices)
    # Made by the re-assessment after an activation (qa.services.reassessment); null when made with the mask.
    reassessment = models.ForeignKey(
        "qa.Reassessment", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )
    reasons = models.JSONField(
        default=list, blank=True, help_text="Why the label is unknown: short sentences (empty for good and poor)"
    )
    ood_score = models.FloatField(
        null=True, blank=True, help_text="Distance of the (image, mask) pair from the training data; null: not measured"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One per mask and model when made with the mask, and one per mask, model and re-assessment: a version
            # rolled back to judges again (its verdict becomes the latest), a re-delivered batch adds nothing.
            models.UniqueConstraint(
                fields=["mask", "model_version"],
                condition=models.Q(reassessment__isnull=True),
                name="assessment_one_per_mask_and_model",
            ),
            models.UniqueConstraint(
                fields=["mask", "model_version", "reassessment"],
                condition=models.Q(reassessment__isnull=False),
                name="assessment_one_per_mask_model_and_reassessment",
            ),
            models.CheckConstraint(condition=models.Q(p_good__gte=0, p_good__lte=1), name="assessment_p_in_0_1"),
            models.CheckConstraint(
                condition=models.Q(label__in=["good", "poor", "unknown"]), name="assessment_label_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} (p={self.p_good:.2f}) for mask {self.mask_id}"


class Measurement(models.Model):
    """CRL from a mask (maximum Feret diameter) with its calliper points, and the GA it gives."""

    mask = models.ForeignKey(Mask, on_delete=models.PROTECT, related_name="measurements")
    crl_mm = models.FloatField()
    # Calliper end points in pixel coordinates of the frame (row, column).
    p1_row = models.FloatField()
    p1_col = models.FloatField()
    p2_row = models.FloatField()
    p2_col = models.FloatField()
    ga_days = models.FloatField(null=True, blank=True)
    formula = models.CharField(max_length=32)
    in_formula_range = models.BooleanField(help_text="False when CRL lies outside the formula's valid range")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["mask", "formula"], name="measurement_one_per_mask_and_formula"),
            models.CheckConstraint(condition=models.Q(crl_mm__gte=0), name="measurement_crl_non_negative"),
        ]

    def __str__(self) -> str:
        return f"CRL {self.crl_mm:.1f} mm for mask {self.mask_id}"


class Verdict(models.TextChoices):
    GOOD = "good", "Good"
    POOR = "poor", "Poor"
    UNUSABLE = "unusable", "Unusable image"


class TrainingLabel(models.TextChoices):
    GOOD = "good", "Good"
    POOR = "poor", "Poor"
    # An unusable image, or a correction between the label rule's thresholds: not used for training.
    EXCLUDED = "excluded", "Excluded from training"


class Review(models.Model):
    """An expert's judgement of a mask, with the corrected mask when they drew one.

    `training_label` is what training learns for the reviewed mask: the verdict itself without a
    correction (unusable: excluded), or with one the label rule (workers.ml.fusqa.labels) applied to the
    reviewed mask against the correction, whose numbers are kept beside it. The verdict is kept too."""

    mask = models.ForeignKey(Mask, on_delete=models.PROTECT, related_name="reviews")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews")
    verdict = models.CharField(max_length=16, choices=Verdict.choices)
    corrected_mask = models.OneToOneField(
        Mask, on_delete=models.PROTECT, null=True, blank=True, related_name="correction_of"
    )
    seconds_spent = models.FloatField(default=0)
    comment = models.TextField(blank=True)
    lease = models.OneToOneField(
        "qa.ReviewLease", on_delete=models.PROTECT, null=True, blank=True, related_name="review"
    )
    training_label = models.CharField(max_length=8, choices=TrainingLabel.choices, blank=True)
    label_dice = models.FloatField(null=True, blank=True, help_text="Dice of the reviewed mask with the correction")
    label_crl_error = models.FloatField(
        null=True, blank=True, help_text="Relative, signed CRL error of the reviewed mask against the correction"
    )
    label_ga_error_days = models.FloatField(
        null=True, blank=True, help_text="Signed GA error (days) of the reviewed mask against the correction"
    )
    # A read of a known-answer item: whether the verdict was the expected one (null for ordinary items).
    known_answer_correct = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(seconds_spent__gte=0), name="review_seconds_non_negative"),
            models.CheckConstraint(
                condition=models.Q(training_label__in=["", *TrainingLabel.values]), name="review_training_label_valid"
            ),
            models.CheckConstraint(condition=models.Q(verdict__in=Verdict.values), name="review_verdict_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.verdict} by {self.expert_id} on mask {self.mask_id}"
