"""The audit log for admins: a filtered, paginated list, and the same filters as a streamed CSV file."""

import csv
import datetime as dt

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from qa import selectors
from qa.apis.client_address import client_address
from qa.apis.serializers import ErrorSerializer, HospitalRefSerializer, _enum_field
from qa.models import AuditAction, Hospital
from qa.permissions import IsFusqaAdmin
from qa.services.audit import audit_export_rows

AuditActionField = _enum_field(AuditAction, "AuditAction")


@extend_schema_field(
    {
        "type": "string",
        "description": "A date (YYYY-MM-DD, the whole day) or a date and time (ISO 8601; UTC unless it says)",
    }
)
class MomentField(serializers.Field):
    """A date or a date and time. A date as `from` means its first moment; as `to`, its last."""

    default_error_messages = {
        "invalid": "Give a date (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS][+HH:MM]), not {value!r}."
    }

    def __init__(self, *, end_of_day: bool, **kwargs):
        self.end_of_day = end_of_day
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> dt.datetime:
        text = str(data).strip()
        try:
            # A bare date first: parse_datetime would also read "2026-03-02", as its midnight.
            day = parse_date(text) if len(text) == 10 else None
            moment = None if day else parse_datetime(text)
        except ValueError:  # well formed but impossible, e.g. 2026-02-30
            day = moment = None
        if moment is not None:
            return moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)
        if day is None:
            self.fail("invalid", value=text)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
        return start + dt.timedelta(days=1) - dt.timedelta(microseconds=1) if self.end_of_day else start

    def to_representation(self, value):
        return value.isoformat()


class AuditEventFilterSerializer(serializers.Serializer):
    actor = serializers.CharField(required=False, max_length=150, help_text="A username, exactly as recorded")
    action = serializers.CharField(
        required=False, max_length=32, help_text='A full action name ("upload.refused") or its prefix ("upload")'
    )
    hospital = serializers.IntegerField(required=False, min_value=1)
    target_type = serializers.CharField(required=False, max_length=64, help_text='A model name: "study", "user"...')
    target_id = serializers.CharField(required=False, max_length=64)

    def get_fields(self):
        # "from" is a Python keyword, so these two cannot be class attributes.
        fields = super().get_fields()
        fields["from"] = MomentField(end_of_day=False, required=False, help_text="Events at or after this moment")
        fields["to"] = MomentField(end_of_day=True, required=False, help_text="Events at or before this moment")
        return fields

    def to_internal_value(self, data):
        # A form's empty field means "any": the page sends every filter, set or not.
        return super().to_internal_value({key: value for key, value in data.items() if value != ""})

    def validate_action(self, value: str) -> str:
        if value not in AuditAction.values and value.rstrip(".") not in selectors.audit_action_prefixes():
            known = ", ".join(sorted(selectors.audit_action_prefixes()))
            raise serializers.ValidationError(
                f"{value!r} is neither an action nor an action prefix; prefixes are {known}."
            )
        return value

    def validate_hospital(self, value: int) -> int:
        if not Hospital.objects.filter(pk=value).exists():
            raise serializers.ValidationError(f"No hospital with id {value}.")
        return value

    def validate(self, attrs):
        if "from" in attrs and "to" in attrs and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"to": "The end of the period comes before its start."})
        return attrs

    def selector_arguments(self) -> dict:
        data = dict(self.validated_data)
        renamed = {"hospital": "hospital_id", "from": "since", "to": "until"}
        return {renamed.get(key, key): value for key, value in data.items()}


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    actor = serializers.IntegerField(source="actor_id", allow_null=True, help_text="Null for the system or a stranger")
    actor_username = serializers.CharField(help_text="The name then; for a failed login, the name that was tried")
    action = AuditActionField()
    hospital = HospitalRefSerializer(allow_null=True)
    target_type = serializers.CharField()
    target_id = serializers.CharField()
    source = serializers.CharField(help_text='An IP address, "dicom:<AE title>" or "command:<name>"')
    detail = serializers.DictField(child=serializers.JSONField())


class AuditEventListApi(GenericAPIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]
    serializer_class = AuditEventSerializer

    @extend_schema(
        parameters=[AuditEventFilterSerializer],
        responses={200: AuditEventSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        summary="The audit log, newest first (admins only)",
    )
    def get(self, request):
        filters = AuditEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.audit_event_list(user=request.user, **filters.selector_arguments())
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


class _Echo:
    """csv.writer writes into this and gets the line back, so each row streams as it is made."""

    def write(self, value: str) -> str:
        return value


class AuditEventExportApi(GenericAPIView):
    """A link in the browser asks for text/html, which no renderer here offers: rather than 406,
    errors still go out as JSON and the file itself bypasses the renderers."""

    permission_classes = [IsAuthenticated, IsFusqaAdmin]
    pagination_class = None

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        parameters=[AuditEventFilterSerializer],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="One row per event, newest first"),
            (400, "application/json"): ErrorSerializer,
            (403, "application/json"): ErrorSerializer,
        },
        operation_id="audit_events_export_csv",
        summary="The audit log as CSV, with the list's filters (admins only)",
        description="Streams every matching event. The export itself is recorded (audit.exported).",
    )
    def get(self, request):
        filters = AuditEventFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        events = selectors.audit_event_list(user=request.user, **filters.selector_arguments())
        rows = audit_export_rows(
            actor=request.user, events=events, filters=filters.validated_data, source=client_address(request)
        )
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
        stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
        response["Content-Disposition"] = f'attachment; filename="fusqa-audit-{stamp}.csv"'
        response["Cache-Control"] = "no-store"
        return response
