from django.conf import settings
from django.db import models

from qa.models.masks import Mask, Verdict
from qa.models.studies import Frame


class KnownAnswerSource(models.TextChoices):
    PHANTOM = "phantom", "Phantom (reference mask known)"
    ADJUDICATED = "adjudicated", "Adjudicated (two experts agreed)"


class KnownAnswer(models.Model):
    """A queue item whose right answer is known, mixed into experts' leases to measure how far to trust them.

    `mask` is what the expert is shown and judges (a model-kind mask, like any item). A phantom item's
    frame belongs to a Study flagged `known_answer`, so it never reaches dashboards, study lists, drift
    alerts or training sets; its ground truth is kept here (`reference`), not as a Mask of the frame, so
    the page shows nothing an ordinary item would not. An adjudicated item is an ordinary item whose
    double read agreed: its expected verdict is the one both experts gave."""

    mask = models.OneToOneField(Mask, on_delete=models.PROTECT, related_name="known_answer")
    frame = models.ForeignKey(Frame, on_delete=models.PROTECT, related_name="known_answers")
    source = models.CharField(max_length=16, choices=KnownAnswerSource.choices)
    expected_verdict = models.CharField(max_length=16, choices=Verdict.choices)
    expected_label = models.CharField(
        max_length=8, blank=True, help_text="The label rule's answer for the mask against the reference"
    )
    reference = models.FileField(
        upload_to="known_answers/%Y/%m/%d/", blank=True, help_text="Phantom: the ground-truth mask (PNG, 0/255)"
    )
    detail = models.JSONField(
        default=dict, blank=True, help_text="Phantom: profile, seed, degradation and its Dice/CRL/GA errors"
    )
    active = models.BooleanField(default=True, help_text="Mixed into leases while active")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="known_answers"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(source__in=KnownAnswerSource.values), name="known_answer_source_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(expected_verdict__in=["good", "poor"]), name="known_answer_verdict_good_or_poor"
            ),
        ]

    def __str__(self) -> str:
        return f"known answer {self.expected_verdict} ({self.source}) for mask {self.mask_id}"
