"""What the dashboard reads: per-day quality counts (rollups) and each hospital's drift-alert settings."""

from django.db import models

from qa.models.hospitals import Hospital, Machine
from qa.quality_math import GA_BIN_COUNT


def empty_ga_histogram() -> dict:
    return {"good": [0] * GA_BIN_COUNT, "poor": [0] * GA_BIN_COUNT}


class DailyQuality(models.Model):
    """A rollup: the counted verdicts of one hospital's frames from one machine on one day.

    Written by qa.services.rollups in the same transaction as the results, rebuilt from scratch by
    `manage.py rebuild_rollups`. The dashboard reads only these rows, so its cost follows the period
    asked for, not the history stored. `machine` is empty for studies whose machine is unknown."""

    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="daily_quality")
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    day = models.DateField(help_text="The study's exam date, or the frame's upload date when it has none")
    good = models.PositiveIntegerField(default=0)
    poor = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    # GA discrepancy (CRL-derived minus reported), per label: frames with both GAs, their sum of |days|,
    # their histogram (qa.quality_math.GA_BIN_EDGES), and the frames lacking one GA or the other.
    ga_good_count = models.PositiveIntegerField(default=0)
    ga_good_abs_sum = models.FloatField(default=0)
    ga_poor_count = models.PositiveIntegerField(default=0)
    ga_poor_abs_sum = models.FloatField(default=0)
    ga_histogram = models.JSONField(default=empty_ga_histogram)
    good_without_reported_ga = models.PositiveIntegerField(default=0)
    poor_without_reported_ga = models.PositiveIntegerField(default=0)
    good_without_measured_ga = models.PositiveIntegerField(default=0)
    poor_without_measured_ga = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["hospital_id", "day", "machine_id"]
        constraints = [
            # Two partial indexes instead of NULLS NOT DISTINCT, which SQLite (the demo) lacks.
            models.UniqueConstraint(
                fields=["hospital", "machine", "day"],
                condition=models.Q(machine__isnull=False),
                name="daily_quality_one_per_machine_day",
            ),
            models.UniqueConstraint(
                fields=["hospital", "day"],
                condition=models.Q(machine__isnull=True),
                name="daily_quality_one_per_unknown_machine_day",
            ),
        ]
        indexes = [models.Index(fields=["hospital", "day"], name="daily_quality_hospital_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.hospital_id}/{self.machine_id}: {self.good}/{self.poor}/{self.unknown}"


class DriftSettings(models.Model):
    """How drift is watched at one hospital (qa.drift_rules: a Bernoulli CUSUM on the poor rate).

    The baseline poor rate of each machine (and of the hospital) comes from the reference period; when it is
    not set, the first `reference_days` days with results at that hospital are the reference."""

    hospital = models.OneToOneField(Hospital, on_delete=models.CASCADE, related_name="drift_settings")
    enabled = models.BooleanField(default=True)
    reference_start = models.DateField(null=True, blank=True)
    reference_end = models.DateField(null=True, blank=True)
    reference_days = models.PositiveIntegerField(default=90)
    shift_ratio = models.FloatField(default=2.0, help_text="The CUSUM is tuned to detect poor rate x this ratio")
    threshold = models.FloatField(default=6.0, help_text="Decision interval h of the CUSUM (log-likelihood units)")
    min_reference_frames = models.PositiveIntegerField(default=300)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "drift settings"
        constraints = [
            models.CheckConstraint(condition=models.Q(shift_ratio__gt=1), name="drift_shift_ratio_above_one"),
            models.CheckConstraint(condition=models.Q(threshold__gt=0), name="drift_threshold_positive"),
            models.CheckConstraint(
                condition=models.Q(reference_start__isnull=True)
                | models.Q(reference_end__isnull=True)
                | models.Q(reference_start__lte=models.F("reference_end")),
                name="drift_reference_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"drift settings of {self.hospital}"
