"""The re-assessments after activations (admins): how far the re-judging of the recent frames got."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from qa.apis.serializers import ErrorSerializer
from qa.models import ModelKind, ReassessmentStatus
from qa.permissions import IsFusqaAdmin
from qa.reassessment_selectors import reassessment_list


class ReassessmentFilterSerializer(serializers.Serializer):
    model_version = serializers.IntegerField(required=False, min_value=1)
    kind = serializers.ChoiceField(choices=ModelKind.choices, required=False)


class ReassessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model_version = serializers.IntegerField(source="model_version_id")
    kind = serializers.ChoiceField(source="model_version.kind", choices=ModelKind.choices)
    version = serializers.CharField(source="model_version.version")
    status = serializers.ChoiceField(choices=ReassessmentStatus.choices)
    since = serializers.DateField(help_text="Frames counted on this day or later are re-judged")
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    changed = serializers.IntegerField(help_text="Frames whose verdict changed")
    progress = serializers.FloatField(help_text="done / total, 0–1")
    error = serializers.CharField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)


class ReassessmentListApi(GenericAPIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]
    serializer_class = ReassessmentSerializer

    @extend_schema(
        parameters=[ReassessmentFilterSerializer],
        responses={200: ReassessmentSerializer(many=True), 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Re-assessments of the recent frames after activations, newest first (admins only)",
    )
    def get(self, request):
        filters = ReassessmentFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(reassessment_list(**filters.validated_data))
        return self.get_paginated_response(ReassessmentSerializer(page, many=True).data)
