"""Where a hospital's results go back to: its PACS as a DICOM application entity, and each sending."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from qa.models.dicom_network import AE_TITLE_MAX_CHARS, validate_ae_title


class PacsDestination(models.Model):
    """A hospital's PACS: a processed frame's SEG and SR are sent there by C-STORE when `enabled`."""

    hospital = models.OneToOneField("qa.Hospital", on_delete=models.CASCADE, related_name="pacs_destination")
    ae_title = models.CharField(max_length=AE_TITLE_MAX_CHARS, validators=[validate_ae_title])
    host = models.CharField(max_length=255, help_text="Host name or IP address of the PACS")
    port = models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(65535)])
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "PACS destination"
        constraints = [
            models.CheckConstraint(condition=models.Q(port__gte=1, port__lte=65535), name="pacs_port_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.ae_title}@{self.host}:{self.port} for {self.hospital}"

    def save(self, *args, **kwargs):
        self.ae_title = self.ae_title.strip(" ")
        self.host = self.host.strip()
        super().save(*args, **kwargs)


class DicomSendStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class DicomSend(models.Model):
    """One result (the SEG and SR of a mask) sent to a PACS. The row exists before its task is queued; one
    per mask and destination, so a re-delivered task or a second trigger sends nothing twice."""

    destination = models.ForeignKey(PacsDestination, on_delete=models.CASCADE, related_name="sends")
    frame = models.ForeignKey("qa.Frame", on_delete=models.PROTECT, related_name="dicom_sends")
    mask = models.ForeignKey("qa.Mask", on_delete=models.PROTECT, related_name="dicom_sends")
    status = models.CharField(max_length=8, choices=DicomSendStatus.choices, default=DicomSendStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    reason = models.TextField(blank=True)
    # [{"what": "seg"|"sr", "sop_class_uid": ..., "sop_instance_uid": ...}] as sent.
    instances = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["destination", "mask"], name="dicom_send_one_per_mask_and_destination"),
            models.CheckConstraint(
                condition=models.Q(status__in=DicomSendStatus.values), name="dicom_send_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.status} send of mask {self.mask_id} to {self.destination_id}"
