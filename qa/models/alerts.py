from django.conf import settings
from django.db import models

from qa.models.hospitals import Hospital, Machine


class DriftRule(models.TextChoices):
    BERNOULLI_CUSUM = "bernoulli_cusum", "Bernoulli CUSUM on the poor rate"


class DriftAlert(models.Model):
    """One drift episode of a machine (or of a whole hospital when `machine` is empty): raised once when the
    rule signals, updated while the episode lasts, closed (`ended_on`) when the rate is back at baseline."""

    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="drift_alerts")
    machine = models.ForeignKey(Machine, on_delete=models.CASCADE, null=True, blank=True, related_name="drift_alerts")
    rule = models.CharField(max_length=32, choices=DriftRule.choices)
    started_on = models.DateField(help_text="The CUSUM's estimate of when the rate changed")
    detected_on = models.DateField(help_text="The day whose results made the rule signal")
    ended_on = models.DateField(null=True, blank=True, help_text="When the CUSUM fell back to zero")
    detected_at = models.DateTimeField(auto_now_add=True)
    baseline_poor_rate = models.FloatField()
    current_poor_rate = models.FloatField(help_text="Poor rate from started_on to the latest day evaluated")
    statistic = models.FloatField(help_text="The CUSUM at the latest day evaluated")
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(rule__in=DriftRule.values), name="drift_alert_rule_valid"),
            models.CheckConstraint(
                condition=models.Q(acknowledged_by__isnull=True, acknowledged_at__isnull=True)
                | models.Q(acknowledged_by__isnull=False, acknowledged_at__isnull=False),
                name="drift_alert_acknowledged_together",
            ),
        ]
        indexes = [models.Index(fields=["hospital", "acknowledged_at"], name="drift_alert_hospital_ack")]

    def __str__(self) -> str:
        return f"drift of {self.machine or self.hospital} from {self.started_on}"
