"""Studies of the hospitals the user sees; a study's detail lists its frames and their status."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.serializers import ErrorSerializer, StudyDetailSerializer, StudySerializer


class StudyFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1, help_text="Only this hospital's studies")


class StudyListApi(GenericAPIView):
    serializer_class = StudySerializer

    @extend_schema(
        parameters=[StudyFilterSerializer], responses=StudySerializer(many=True), summary="Studies, newest first"
    )
    def get(self, request):
        filters = StudyFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        studies = selectors.study_list(user=request.user, hospital_id=filters.validated_data.get("hospital"))
        page = self.paginate_queryset(studies)
        return self.get_paginated_response(StudySerializer(page, many=True).data)


class StudyDetailApi(APIView):
    @extend_schema(responses={200: StudyDetailSerializer, 404: ErrorSerializer}, summary="One study with its frames")
    def get(self, request, study_id: int):
        study = selectors.study_get(user=request.user, study_id=study_id)
        return Response(StudyDetailSerializer(study).data)
