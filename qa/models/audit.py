"""The audit log: who did what, to which row, from where. Rows are written once and never changed.

Append-only twice over: on PostgreSQL triggers refuse UPDATE, DELETE and TRUNCATE whoever sends them
(raw SQL included); the model and its queryset refuse the ORM's updates and deletes on every
database, so SQLite (the demo) refuses them too. Write rows through `qa.services.audit.audit_record`.
"""

import pgtrigger
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

# A session that sets this PostgreSQL setting to "allowed" may TRUNCATE the table. Only the test
# settings do, because Django's test flush empties every table with one TRUNCATE.
TRUNCATE_SETTING = "fusqa.audit_truncate"


class AuditLogIsAppendOnly(Exception):
    """An attempt to change or remove an audit event: a bug in the caller, never a user's mistake."""


class AuditAction(models.TextChoices):
    LOGIN = "auth.login", "Logged in"
    LOGIN_FAILED = "auth.login_failed", "Failed to log in"
    LOGOUT = "auth.logout", "Logged out"
    UPLOAD_STORED = "upload.stored", "Upload stored"
    UPLOAD_DUPLICATE = "upload.duplicate", "Upload was a re-send"
    UPLOAD_REFUSED = "upload.refused", "Upload refused"
    DICOM_SENT = "dicom.sent", "Results sent to PACS"
    DICOM_SEND_FAILED = "dicom.send_failed", "Sending results to PACS failed"
    MODEL_REGISTERED = "model.registered", "Model version registered"
    MODEL_ACTIVATED = "model.activated", "Model version activated"
    MODEL_ROLLED_BACK = "model.rolled_back", "Model version rolled back to"
    REVIEW_LEASED = "review.leased", "Review item leased"
    REVIEW_RELEASED = "review.released", "Review item released (skipped)"
    REVIEW_VERDICT = "review.verdict", "Review verdict given"
    MASK_CORRECTED = "mask.corrected", "Mask corrected"
    TRAINING_SET_EXPORTED = "training_set.exported", "Training set exported"
    KNOWN_ANSWERS_CREATED = "known_answer.created", "Known-answer review items created"
    TRAINING_RUN_STARTED = "training_run.started", "Training run started"
    TRAINING_RUN_CANCELLED = "training_run.cancelled", "Training run cancelled"
    AUDIT_EXPORTED = "audit.exported", "Audit log exported"
    ALERT_ACKNOWLEDGED = "alert.acknowledged", "Drift alert acknowledged"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("audit events are never updated")

    def delete(self):
        raise AuditLogIsAppendOnly("audit events are never deleted")

    def bulk_update(self, objs, fields, batch_size=None):
        raise AuditLogIsAppendOnly("audit events are never updated")

    def _raw_delete(self, using):
        raise AuditLogIsAppendOnly("audit events are never deleted")


class AuditEvent(models.Model):
    # Always "now" through audit_record; a default rather than auto_now_add so tests can place events in time.
    at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    # PROTECT: an account or hospital with a history is deactivated, not deleted; SET_NULL would be an
    # UPDATE of this table, which the trigger refuses anyway.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    # The name as it was then (an account may be renamed); for a failed login, the name that was tried.
    actor_username = models.CharField(max_length=150, blank=True, db_index=True)
    action = models.CharField(max_length=32, choices=AuditAction.choices, db_index=True)
    hospital = models.ForeignKey(
        "qa.Hospital", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    target_type = models.CharField(max_length=64, blank=True, help_text="The model name of the row acted on")
    target_id = models.CharField(max_length=64, blank=True)
    source = models.CharField(
        max_length=200, blank=True, help_text='Where it came from: an IP address, "dicom:<AE title>", "command"'
    )
    detail = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=AuditAction.values), name="audit_action_valid"),
        ]
        triggers = [
            pgtrigger.Protect(name="audit_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            pgtrigger.Trigger(
                name="audit_no_truncate",
                level=pgtrigger.Statement,
                when=pgtrigger.Before,
                operation=pgtrigger.Truncate,
                func=(
                    f"IF current_setting('{TRUNCATE_SETTING}', true) IS DISTINCT FROM 'allowed' THEN "
                    "RAISE EXCEPTION 'pgtrigger: Cannot truncate % table', TG_TABLE_NAME; "
                    "END IF; RETURN NULL;"
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields") is not None:
            raise AuditLogIsAppendOnly("audit events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("audit events are never deleted")
