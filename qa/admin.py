from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from qa import models
from qa.services.dicom_network import calling_ae_account_ensure


@admin.register(models.User)
class FusqaUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("FUSQA", {"fields": ("role",)}))
    list_display = ("username", "email", "role", "is_active")
    list_filter = ("role", "is_active")


@admin.register(models.Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    prepopulated_fields = {"slug": ("name",)}


admin.site.register(models.Membership)
admin.site.register(models.Machine)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that only services write: no add, change or delete form."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    """Activation goes through the gate (POST /api/model-versions/{id}/activate/, docs/retraining.md)."""

    list_display = ("kind", "version", "status", "parent", "training_run", "created_at", "activated_at")
    list_filter = ("kind", "status")


@admin.register(models.TrainingRun)
class TrainingRunAdmin(ReadOnlyAdmin):
    """Runs are started, watched and cancelled through the API (docs/retraining.md); a status typed here
    would describe a run that nothing executes."""

    list_display = ("id", "kind", "status", "progress", "epoch", "training_set", "attempts", "created_at")
    list_filter = ("kind", "status")


@admin.register(models.Study)
class StudyAdmin(admin.ModelAdmin):
    list_display = ("id", "hospital", "machine", "exam_date", "reported_ga_days", "known_answer")
    list_filter = ("hospital", "known_answer")


@admin.register(models.Frame)
class FrameAdmin(admin.ModelAdmin):
    list_display = ("id", "hospital", "study", "frame_number", "width", "height", "spacing_row_mm")
    list_filter = ("hospital", "source")


@admin.register(models.Mask)
class MaskAdmin(admin.ModelAdmin):
    list_display = ("id", "frame", "version", "kind", "model_version", "created_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False  # masks are never overwritten


@admin.register(models.KnownAnswer)
class KnownAnswerAdmin(admin.ModelAdmin):
    """Deactivate an item here (active: off) to stop mixing it into leases; its scored reviews stay."""

    list_display = ("id", "source", "expected_verdict", "mask", "active", "created_at")
    list_filter = ("source", "expected_verdict", "active")
    fields = ("active",)


@admin.register(models.AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the log is append-only, and only the services append to it."""

    list_display = ("at", "actor_username", "action", "hospital", "target_type", "target_id", "source")
    list_filter = ("action", "hospital")
    search_fields = ("actor_username", "target_id", "source")
    date_hierarchy = "at"
    list_select_related = ("hospital",)


# Per-hospital drift-watch settings (qa.services.alerts); alerts are acknowledged through the API only.
admin.site.register(models.DriftSettings)


@admin.register(models.Reassessment)
class ReassessmentAdmin(admin.ModelAdmin):
    """Read-only: re-assessments are started by activations and written by their task."""

    list_display = ["id", "model_version", "status", "since", "done", "total", "changed", "created_at"]
    list_filter = ["status", "model_version__kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.CallingAE)
class CallingAEAdmin(admin.ModelAdmin):
    list_display = ("ae_title", "hospital", "source_network", "created_at")
    list_filter = ("hospital",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # What it sends is uploaded by its own account (qa.services.dicom_network).
        calling_ae_account_ensure(calling_ae=obj)


# Where a hospital's results go back to (qa.services.pacs_forward).
@admin.register(models.PacsDestination)
class PacsDestinationAdmin(admin.ModelAdmin):
    list_display = ("hospital", "ae_title", "host", "port", "enabled")
    list_filter = ("enabled",)


@admin.register(models.DicomSend)
class DicomSendAdmin(admin.ModelAdmin):
    list_display = ("id", "frame", "mask", "destination", "status", "attempts", "sent_at")
    list_filter = ("status", "destination")
    readonly_fields = ("destination", "frame", "mask", "status", "attempts", "reason", "instances", "sent_at")

    def has_add_permission(self, request) -> bool:
        return False
