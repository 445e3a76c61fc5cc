"""The dashboard (quality counts, poor rates with Wilson intervals, GA discrepancy) and its drift alerts."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import dashboard_selectors
from qa.apis.client_address import client_address
from qa.apis.serializers import (
    ErrorSerializer,
    HospitalRefSerializer,
    MachineRefSerializer,
    QualityLabelField,
    UserRefSerializer,
)
from qa.dashboard_selectors import BUCKETS
from qa.errors import InvalidInput
from qa.models import Assessment, DriftRule
from qa.services.alerts import alert_acknowledge

DEFAULT_PERIOD_DAYS = 90
MAX_PERIOD_DAYS = 3660


class DashboardFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(
        required=False, min_value=1, help_text="One hospital; without it, every hospital the user sees"
    )
    machine = serializers.IntegerField(required=False, min_value=1, help_text="Only this machine's frames")
    # `from` is a Python keyword: declared through the class namespace so the query parameter keeps its name.
    vars()["from"] = serializers.DateField(required=False, help_text="First day (exam date), included")
    to = serializers.DateField(required=False, help_text="Last day, included; default today (UTC)")
    bucket = serializers.ChoiceField(choices=BUCKETS, default="week", help_text="Series bucket: day, ISO week, month")

    def validate(self, attrs):
        end = attrs.get("to") or timezone.localdate()
        start = attrs.get("from") or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1)
        if start > end:
            raise InvalidInput("from must not be after to.", field="from")
        if (end - start).days >= MAX_PERIOD_DAYS:
            raise InvalidInput(f"A period may span at most {MAX_PERIOD_DAYS} days.", field="from")
        return {**attrs, "start": start, "end": end}


class QualityCountsSerializer(serializers.Serializer):
    frames = serializers.IntegerField(help_text="good + poor + unknown; pending frames are not counted")
    good = serializers.IntegerField()
    poor = serializers.IntegerField()
    unknown = serializers.IntegerField(help_text="Out of distribution, implausible mask, or processing failed")
    poor_rate = serializers.FloatField(allow_null=True, help_text="poor / (good + poor); null without any")
    poor_rate_low = serializers.FloatField(allow_null=True, help_text="95 % Wilson interval, lower bound")
    poor_rate_high = serializers.FloatField(allow_null=True, help_text="95 % Wilson interval, upper bound")


class QualityBucketSerializer(QualityCountsSerializer):
    bucket_start = serializers.DateField(help_text="First day of the day, ISO week (Monday) or month")


class QualitySeriesSerializer(QualityCountsSerializer):
    series = QualityBucketSerializer(many=True)


class MachineQualitySerializer(QualitySeriesSerializer):
    hospital = serializers.IntegerField()
    machine = MachineRefSerializer(allow_null=True, help_text="null: studies that name no machine")


class HospitalQualitySerializer(QualitySeriesSerializer):
    hospital = HospitalRefSerializer()


class GaBinSerializer(serializers.Serializer):
    low_days = serializers.IntegerField(allow_null=True, help_text="Included; null: open below")
    high_days = serializers.IntegerField(allow_null=True, help_text="Excluded; null: open above")
    count = serializers.IntegerField()


class GaLabelDiscrepancySerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Frames with both a CRL-derived and a reported GA")
    mean_abs_days = serializers.FloatField(allow_null=True)
    histogram = GaBinSerializer(many=True, help_text="CRL-derived GA minus reported GA, days")
    without_reported_ga = serializers.IntegerField(help_text="Frames whose study has no reported GA")
    without_measured_ga = serializers.IntegerField(help_text="Frames with a reported GA but no CRL (no fetus)")


class GaDiscrepancySerializer(serializers.Serializer):
    good = GaLabelDiscrepancySerializer()
    poor = GaLabelDiscrepancySerializer()


class DashboardPeriodSerializer(serializers.Serializer):
    vars()["from"] = serializers.DateField()
    to = serializers.DateField()
    bucket = serializers.ChoiceField(choices=BUCKETS)


class DashboardSerializer(serializers.Serializer):
    period = DashboardPeriodSerializer()
    totals = QualityCountsSerializer()
    series = QualityBucketSerializer(many=True)
    machines = MachineQualitySerializer(many=True)
    hospitals = HospitalQualitySerializer(many=True)
    ga_discrepancy = GaDiscrepancySerializer()


class DashboardApi(APIView):
    @extend_schema(
        parameters=[DashboardFilterSerializer],
        responses={200: DashboardSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Quality counts, poor rates (95 % Wilson) and GA discrepancy over a period",
    )
    def get(self, request):
        filters = DashboardFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        dashboard = dashboard_selectors.dashboard_get(
            user=request.user,
            hospital_id=given.get("hospital"),
            machine_id=given.get("machine"),
            start=given["start"],
            end=given["end"],
            bucket=given["bucket"],
        )
        # The selector builds exactly DashboardSerializer's shape from plain values (tests/qa/api/test_dashboard.py
        # holds it to that); skipping a second pass through nested serializers halves the response time.
        return Response(dashboard)


class DashboardFramesFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1, help_text="One hospital; without it, all seen")
    machine = serializers.IntegerField(required=False, min_value=1, help_text="Only this machine's frames")
    unknown_machine = serializers.BooleanField(
        required=False, default=False, help_text="Only frames of studies that name no machine"
    )
    vars()["from"] = serializers.DateField(required=False, help_text="First day (exam date), included")
    to = serializers.DateField(required=False, help_text="Last day, included; default today (UTC)")
    verdict = serializers.ChoiceField(choices=Assessment.Label.choices, required=False)

    def validate(self, attrs):
        if attrs.get("machine") is not None and attrs.get("unknown_machine"):
            raise InvalidInput("Ask for a machine or for unknown_machine, not both.", field="unknown_machine")
        return DashboardFilterSerializer.validate(self, attrs)


class DashboardFrameSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    study = serializers.IntegerField(source="study_id")
    frame_number = serializers.IntegerField()
    hospital = HospitalRefSerializer()
    machine = MachineRefSerializer(source="study.machine", allow_null=True)
    exam_date = serializers.DateField(source="study.exam_date", allow_null=True)
    counted_on = serializers.DateField(help_text="The day the dashboard counts it on: exam date, else upload date")
    verdict = QualityLabelField()
    p_good = serializers.FloatField(source="verdict_p_good", allow_null=True, help_text="null: processing failed")
    mask = serializers.IntegerField(source="verdict_mask_id", allow_null=True, help_text="The assessed model mask")
    judged_by = serializers.IntegerField(
        source="verdict_model_version_id", allow_null=True, help_text="The FUSQA model version whose verdict counts"
    )
    judged_by_version = serializers.CharField(
        source="verdict_model_version", allow_null=True, help_text="That version's name"
    )
    reasons = serializers.SerializerMethodField(
        help_text="Why the verdict is unknown, in short sentences; empty otherwise"
    )
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    image_url = serializers.SerializerMethodField()
    mask_image_url = serializers.SerializerMethodField()

    def get_image_url(self, frame) -> str:
        return reverse("frame-image", args=[frame.id])

    def get_mask_image_url(self, frame) -> str | None:
        return reverse("mask-image", args=[frame.verdict_mask_id]) if frame.verdict_mask_id else None

    def get_reasons(self, frame) -> list[str]:
        if frame.verdict_reasons:
            return list(frame.verdict_reasons)
        if frame.verdict == "unknown" and frame.verdict_mask_id is None:
            return ["processing failed"]
        return []


class DashboardFrameListApi(GenericAPIView):
    serializer_class = DashboardFrameSerializer

    @extend_schema(
        parameters=[DashboardFramesFilterSerializer],
        responses={200: DashboardFrameSerializer(many=True), 400: ErrorSerializer, 404: ErrorSerializer},
        summary="The frames behind a dashboard point or row, worst (lowest p(good)) first",
    )
    def get(self, request):
        filters = DashboardFramesFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        frames = dashboard_selectors.dashboard_frame_list(
            user=request.user,
            hospital_id=given.get("hospital"),
            machine_id=given.get("machine"),
            no_machine=given["unknown_machine"],
            start=given["start"],
            end=given["end"],
            verdict=given.get("verdict"),
        )
        page = self.paginate_queryset(frames)
        return self.get_paginated_response(DashboardFrameSerializer(page, many=True).data)


class DriftAlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hospital = HospitalRefSerializer()
    machine = MachineRefSerializer(allow_null=True, help_text="null: the hospital as a whole")
    rule = serializers.ChoiceField(choices=DriftRule.choices)
    started_on = serializers.DateField(help_text="When the poor rate is estimated to have changed")
    detected_on = serializers.DateField(help_text="The day whose results made the rule signal")
    ended_on = serializers.DateField(allow_null=True, help_text="Back at baseline; null while it lasts")
    detected_at = serializers.DateTimeField()
    baseline_poor_rate = serializers.FloatField()
    current_poor_rate = serializers.FloatField(help_text="Poor rate since started_on")
    acknowledged_by = UserRefSerializer(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)


class AlertFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1, help_text="Only this hospital's alerts")
    state = serializers.ChoiceField(choices=["open", "acknowledged"], required=False)


class AlertListApi(GenericAPIView):
    serializer_class = DriftAlertSerializer

    @extend_schema(
        parameters=[AlertFilterSerializer],
        responses=DriftAlertSerializer(many=True),
        summary="Drift alerts of the hospitals the user sees, newest first",
    )
    def get(self, request):
        filters = AlertFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        alerts = dashboard_selectors.alert_list(
            user=request.user, hospital_id=given.get("hospital"), state=given.get("state")
        )
        page = self.paginate_queryset(alerts)
        return self.get_paginated_response(DriftAlertSerializer(page, many=True).data)


class AlertAcknowledgeApi(APIView):
    @extend_schema(
        request=None,
        responses={200: DriftAlertSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        summary="Acknowledge a drift alert (QA managers of its hospital, admins)",
    )
    def post(self, request, alert_id: int):
        alert = alert_acknowledge(user=request.user, alert_id=alert_id, source=client_address(request))
        return Response(DriftAlertSerializer(alert).data)
