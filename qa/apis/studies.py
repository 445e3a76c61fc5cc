"""Studies of the hospitals the user sees; a study's detail lists its frames and their status."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.serializers import ErrorSerializer, StudyDetailSerializer, StudySerializer
from qa.errors import InvalidInput
from qa.models import Assessment, JobStatus


class StudyFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1, help_text="Only this hospital's studies")
    machine = serializers.IntegerField(required=False, min_value=1, help_text="Only this machine's studies")
    vars()["from"] = serializers.DateField(required=False, help_text="Exam date from (included)")
    to = serializers.DateField(required=False, help_text="Exam date to (included)")
    quality = serializers.ChoiceField(
        choices=Assessment.Label.choices, required=False, help_text="The study's quality (its worst frame's)"
    )
    status = serializers.ChoiceField(
        choices=[JobStatus.PENDING, JobStatus.FAILED, JobStatus.DONE],
        required=False,
        help_text="pending: a frame is pending or running",
    )
    p_min = serializers.FloatField(required=False, min_value=0, max_value=1, help_text="Lowest p(good) at least")
    p_max = serializers.FloatField(required=False, min_value=0, max_value=1, help_text="Lowest p(good) at most")

    def validate(self, attrs):
        if attrs.get("from") and attrs.get("to") and attrs["from"] > attrs["to"]:
            raise InvalidInput("from must not be after to.", field="from")
        if attrs.get("p_min") is not None and attrs.get("p_max") is not None and attrs["p_min"] > attrs["p_max"]:
            raise InvalidInput("p_min must not be above p_max.", field="p_min")
        return attrs


class StudyListApi(GenericAPIView):
    serializer_class = StudySerializer

    @extend_schema(
        parameters=[StudyFilterSerializer],
        responses={200: StudySerializer(many=True), 400: ErrorSerializer},
        summary="Studies, latest exam date first, with their quality and processing status",
    )
    def get(self, request):
        filters = StudyFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        given = filters.validated_data
        studies = selectors.study_list(
            user=request.user,
            hospital_id=given.get("hospital"),
            machine_id=given.get("machine"),
            exam_from=given.get("from"),
            exam_to=given.get("to"),
            quality=given.get("quality"),
            status=given.get("status"),
            p_min=given.get("p_min"),
            p_max=given.get("p_max"),
        )
        page = selectors.study_quality_attach(self.paginate_queryset(studies))
        return self.get_paginated_response(StudySerializer(page, many=True).data)


class StudyDetailApi(APIView):
    @extend_schema(responses={200: StudyDetailSerializer, 404: ErrorSerializer}, summary="One study with its frames")
    def get(self, request, study_id: int):
        study = selectors.study_get(user=request.user, study_id=study_id)
        return Response(StudyDetailSerializer(study).data)
