from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    QA_MANAGER = "qa_manager", "QA manager"
    EXPERT = "expert", "Expert"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A person or a machine account. What they may see is decided in qa.permissions alone."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.QA_MANAGER)
    hospitals = models.ManyToManyField("qa.Hospital", through="qa.Membership", related_name="users")

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]

    @property
    def is_fusqa_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser


class Membership(models.Model):
    """A QA manager reads, and an expert reviews, the hospitals they are members of."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    hospital = models.ForeignKey("qa.Hospital", on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "hospital"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.hospital}"
