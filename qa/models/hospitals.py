from django.db import models


class Hospital(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Machine(models.Model):
    """An ultrasound machine of one hospital, as named in the DICOM header it sends."""

    hospital = models.ForeignKey(Hospital, on_delete=models.CASCADE, related_name="machines")
    manufacturer = models.CharField(max_length=64, blank=True)
    model_name = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["hospital_id", "manufacturer", "model_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hospital", "manufacturer", "model_name"], name="machine_unique_per_hospital"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.model_name}".strip() or "unknown machine"
