from django.db import models

from qa.models.hospitals import Hospital, Machine


class Study(models.Model):
    """One examination. The patient is known only by a keyed hash; nothing identifying is kept."""

    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="studies")
    machine = models.ForeignKey(Machine, on_delete=models.PROTECT, null=True, blank=True, related_name="studies")
    patient_key = models.CharField(max_length=64, db_index=True)
    # Keyed hash of the StudyInstanceUID (or of the upload), so a re-send lands in the same study.
    study_key = models.CharField(max_length=64)
    exam_date = models.DateField(null=True, blank=True)
    reported_ga_days = models.FloatField(null=True, blank=True)
    # A phantom made for known-answer review items (qa.models.KnownAnswer): never counted on dashboards,
    # listed with the hospital's studies, watched for drift or frozen into a training set.
    known_answer = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "studies"
        constraints = [
            models.UniqueConstraint(fields=["hospital", "study_key"], name="study_unique_per_hospital"),
            models.CheckConstraint(
                condition=models.Q(reported_ga_days__isnull=True)
                | models.Q(reported_ga_days__gt=0, reported_ga_days__lt=320),
                name="study_reported_ga_plausible",
            ),
        ]
        # The dashboard's rollups recount one hospital's day (qa.services.rollups).
        indexes = [models.Index(fields=["hospital", "exam_date"], name="study_hospital_exam_date")]

    def __str__(self) -> str:
        return f"study {self.pk} ({self.hospital})"


class FrameSource(models.TextChoices):
    DICOM = "dicom", "DICOM"
    PNG = "png", "PNG"
    JPEG = "jpeg", "JPEG"


class Frame(models.Model):
    """One 2D grey image with its physical pixel size."""

    hospital = models.ForeignKey(Hospital, on_delete=models.PROTECT, related_name="frames")
    study = models.ForeignKey(Study, on_delete=models.PROTECT, related_name="frames")
    pixels = models.FileField(upload_to="frames/%Y/%m/%d/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    spacing_row_mm = models.FloatField(help_text="Physical size of one pixel along a column (between rows), mm")
    spacing_col_mm = models.FloatField(help_text="Physical size of one pixel along a row (between columns), mm")
    spacing_source = models.CharField(max_length=32, help_text="ultrasound_region, pixel_spacing or request")
    source = models.CharField(max_length=8, choices=FrameSource.choices)
    # The de-identified DICOM file this frame came from (shared by the frames of one multi-frame file).
    source_file = models.FileField(upload_to="dicom/%Y/%m/%d/", blank=True)
    # Keyed-hash replacement of the SOP Instance UID (or of the file's bytes for PNG/JPEG).
    sop_instance_uid = models.CharField(max_length=64)
    frame_number = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["study_id", "frame_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "sop_instance_uid", "frame_number"], name="frame_unique_instance_per_hospital"
            ),
            models.CheckConstraint(
                condition=models.Q(spacing_row_mm__gt=0, spacing_col_mm__gt=0), name="frame_spacing_positive"
            ),
            models.CheckConstraint(condition=models.Q(width__gt=0, height__gt=0), name="frame_size_positive"),
            models.CheckConstraint(condition=models.Q(frame_number__gte=1), name="frame_number_from_one"),
        ]
        # Frames without an exam date count on their upload day (qa.services.rollups).
        indexes = [models.Index(fields=["hospital", "created_at"], name="frame_hospital_created")]

    def __str__(self) -> str:
        return f"frame {self.pk} of study {self.study_id}"
