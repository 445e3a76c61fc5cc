from django.db import models

from qa.models.studies import Frame


class JobStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ProcessingJob(models.Model):
    """A frame's trip through segmentation, FUSQA and CRL/GA. Created with the frame, before queuing."""

    frame = models.ForeignKey(Frame, on_delete=models.PROTECT, related_name="jobs")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.PENDING)
    reason = models.TextField(blank=True, help_text="Why it failed, in words a QA manager can act on")
    attempts = models.PositiveIntegerField(default=0)
    worker = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=JobStatus.values), name="job_status_valid"),
            # At most one job in flight per frame.
            models.UniqueConstraint(
                fields=["frame"],
                condition=models.Q(status__in=["pending", "running"]),
                name="job_one_open_per_frame",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="job_status_created")]

    def __str__(self) -> str:
        return f"job {self.pk} ({self.status}) for frame {self.frame_id}"
