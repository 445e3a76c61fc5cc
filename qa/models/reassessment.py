from django.db import models

from qa.models.modelling import ModelVersion


class ReassessmentStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    # Another version of the same kind was activated before this one finished: that one re-judges now.
    SUPERSEDED = "superseded", "Superseded"


class Reassessment(models.Model):
    """The recent frames re-judged in the background after a model version was activated (qa.services.
    reassessment): which frames (those counted on `since` or later that existed at the start), how far it got."""

    model_version = models.ForeignKey(ModelVersion, on_delete=models.PROTECT, related_name="reassessments")
    status = models.CharField(max_length=16, choices=ReassessmentStatus.choices, default=ReassessmentStatus.PENDING)
    since = models.DateField(help_text="Frames counted on this day or later (exam date, else upload day)")
    last_frame = models.PositiveBigIntegerField(help_text="The newest frame at the start: later ones are judged anyway")
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0, help_text="Frames whose verdict changed")
    cursor = models.PositiveBigIntegerField(default=0, help_text="Frames up to this id are done")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="Last batch written (or re-queued)")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReassessmentStatus.values), name="reassessment_status_valid"
            ),
            models.CheckConstraint(condition=models.Q(done__lte=models.F("total")), name="reassessment_done_le_total"),
        ]

    def __str__(self) -> str:
        return f"re-assessment {self.pk} by {self.model_version} ({self.status}, {self.done}/{self.total})"

    @property
    def progress(self) -> float:
        return 1.0 if self.total == 0 else self.done / self.total
