from django.conf import settings
from django.db import models

from qa.models.masks import Mask
from qa.models.studies import Frame


class LeaseState(models.TextChoices):
    LIVE = "live", "Held by an expert"
    DONE = "done", "Reviewed"
    EXPIRED = "expired", "Expired before a review"
    RELEASED = "released", "Released by its expert (skipped)"


class ReviewLease(models.Model):
    """One read of a queue item (a frame's model mask) held by one expert until `expires_at`.

    The constraints are the lock: a single-read item has one slot, a double-read item two; a slot is
    held by at most one live-or-done lease, and one expert holds at most one slot of an item. Claiming
    is an INSERT that either gets its slot or fails, so two experts never hold the same slot."""

    frame = models.ForeignKey(Frame, on_delete=models.PROTECT, related_name="review_leases")
    mask = models.ForeignKey(Mask, on_delete=models.PROTECT, related_name="review_leases")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_leases")
    slot = models.PositiveSmallIntegerField(help_text="1, or 2 for the second read of a double-read item")
    reason = models.JSONField(default=list, blank=True, help_text="Why the item was in the queue when leased")
    leased_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=8, choices=LeaseState.choices, default=LeaseState.LIVE)
    # A read of a known-answer item (qa.models.KnownAnswer): any number of experts read it, once each.
    known_answer = models.BooleanField(default=False)

    class Meta:
        ordering = ["-leased_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["mask", "slot"],
                condition=models.Q(state__in=["live", "done"], known_answer=False),
                name="review_lease_one_holder_per_slot",
            ),
            models.UniqueConstraint(
                fields=["mask", "expert"],
                condition=models.Q(state__in=["live", "done"]),
                name="review_lease_one_slot_per_expert",
            ),
            models.CheckConstraint(condition=models.Q(slot__in=[1, 2]), name="review_lease_slot_1_or_2"),
            models.CheckConstraint(condition=models.Q(state__in=LeaseState.values), name="review_lease_state_valid"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("leased_at")), name="review_lease_expires_after_start"
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="review_lease_state_expiry")]

    def __str__(self) -> str:
        return f"lease {self.pk} of mask {self.mask_id} (slot {self.slot}) by {self.expert_id}"
