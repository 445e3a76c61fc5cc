"""Model versions (any logged-in user) and training runs (admins only)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.serializers import (
    ErrorSerializer,
    ModelVersionSerializer,
    TrainingRunDetailSerializer,
    TrainingRunSerializer,
)
from qa.models import ModelKind, ModelStatus, RunStatus
from qa.permissions import IsFusqaAdmin


class ModelVersionFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices, required=False)
    status = serializers.ChoiceField(choices=ModelStatus.choices, required=False)


class ModelVersionListApi(GenericAPIView):
    serializer_class = ModelVersionSerializer

    @extend_schema(
        parameters=[ModelVersionFilterSerializer],
        responses=ModelVersionSerializer(many=True),
        summary="Model versions, by kind, newest first",
    )
    def get(self, request):
        filters = ModelVersionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.model_version_list(**filters.validated_data))
        return self.get_paginated_response(ModelVersionSerializer(page, many=True).data)


class TrainingRunFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices, required=False)
    status = serializers.ChoiceField(choices=RunStatus.choices, required=False)


class TrainingRunListApi(GenericAPIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]
    serializer_class = TrainingRunSerializer

    @extend_schema(
        parameters=[TrainingRunFilterSerializer],
        responses={200: TrainingRunSerializer(many=True), 403: ErrorSerializer},
        summary="Training runs, newest first (admins only)",
    )
    def get(self, request):
        filters = TrainingRunFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.training_run_list(**filters.validated_data))
        return self.get_paginated_response(TrainingRunSerializer(page, many=True).data)


class TrainingRunDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        responses={200: TrainingRunDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="One training run with its log and data snapshot (admins only)",
    )
    def get(self, request, training_run_id: int):
        run = selectors.training_run_get(training_run_id=training_run_id)
        return Response(TrainingRunDetailSerializer(run).data)
