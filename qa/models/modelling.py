from django.conf import settings
from django.db import models


class ModelKind(models.TextChoices):
    SEGMENTATION = "segmentation", "Segmentation"
    FUSQA = "fusqa", "FUSQA quality classifier"


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    ACTIVE = "active", "Active"
    RETIRED = "retired", "Retired"


class RunStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class TrainingSet(models.Model):
    """A frozen, versioned snapshot of every reviewed item: a zip in the format of docs/training_sets.md,
    read by workers.ml.train.training_set. Never rebuilt: a new freeze is a new version."""

    version = models.PositiveIntegerField(unique=True, help_text="1, 2, 3… in order of freezing")
    archive = models.FileField(upload_to="training_sets/", blank=True)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the zip archive")
    items = models.PositiveIntegerField(default=0, help_text="Lines of the manifest")
    summary = models.JSONField(default=dict, blank=True, help_text="Counts per label, hospital, machine, split")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="training_sets"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        constraints = [models.CheckConstraint(condition=models.Q(version__gte=1), name="training_set_version_from_one")]

    def __str__(self) -> str:
        return f"training set v{self.version} ({self.items} items)"


class TrainingRun(models.Model):
    kind = models.CharField(max_length=16, choices=ModelKind.choices)
    training_set = models.ForeignKey(
        TrainingSet, on_delete=models.PROTECT, null=True, blank=True, related_name="training_runs"
    )
    # Live progress, written by the task at least every 5 s.
    epoch = models.PositiveIntegerField(null=True, blank=True)
    loss = models.FloatField(null=True, blank=True)
    validation_metric = models.FloatField(null=True, blank=True)
    eta_seconds = models.FloatField(null=True, blank=True)
    history = models.JSONField(default=list, blank=True, help_text="Per epoch: loss and validation metric")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    checkpoint = models.CharField(max_length=255, blank=True, help_text="Last checkpoint, to resume from")
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.FloatField(default=0)
    parameters = models.JSONField(default=dict, blank=True)
    # What it trained on: mask ids/versions and reviews frozen when the run was created.
    data_snapshot = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="training_runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__gte=0, progress__lte=1), name="run_progress_0_1"),
            models.CheckConstraint(condition=models.Q(status__in=RunStatus.values), name="run_status_valid"),
            # One run of a kind at a time: two admins starting at once get one run and a 409.
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(status__in=["pending", "running"]),
                name="one_training_run_going_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} training run {self.pk} ({self.status})"


class ModelVersion(models.Model):
    kind = models.CharField(max_length=16, choices=ModelKind.choices)
    version = models.CharField(max_length=32)
    weights_file = models.CharField(max_length=255, help_text="Path of the weights, relative to FUSQA_WEIGHTS_DIR")
    sha256 = models.CharField(max_length=64)
    metrics = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=ModelStatus.choices, default=ModelStatus.CANDIDATE)
    training_run = models.ForeignKey(
        TrainingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="model_versions"
    )
    training_set = models.ForeignKey(
        TrainingSet, on_delete=models.PROTECT, null=True, blank=True, related_name="model_versions"
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text="The version it was fine-tuned from",
    )
    parameters = models.JSONField(default=dict, blank=True)
    code_version = models.CharField(max_length=64, blank=True, help_text="git commit of the training code")
    evaluation = models.JSONField(
        default=dict, blank=True, help_text="Candidate and active side by side, per hospital (the gate)"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="model_version_unique"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(status="active"), name="model_one_active_per_kind"
            ),
            models.CheckConstraint(condition=models.Q(status__in=ModelStatus.values), name="model_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.version} ({self.status})"
