"""Model versions (any logged-in user); training runs, the gate's evaluation and activation (admins only).
The contract is docs/retraining.md."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.client_address import client_address
from qa.apis.model_gate_serializers import ActivateSerializer, ModelEvaluationSerializer, TrainingRunStartSerializer
from qa.apis.serializers import (
    ErrorSerializer,
    ModelVersionSerializer,
    TrainingRunDetailSerializer,
    TrainingRunSerializer,
)
from qa.errors import InvalidInput
from qa.models import ModelKind, ModelStatus, RunStatus
from qa.permissions import IsFusqaAdmin
from qa.services.model_gate import model_version_activate_gated, model_version_gate
from qa.services.training_runs import training_run_cancel, training_run_start


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

    @extend_schema(
        request=TrainingRunStartSerializer,
        responses={201: TrainingRunDetailSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
        summary="Start a training run (admins only); 409 names the run of that kind already going",
    )
    def post(self, request):
        given = TrainingRunStartSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        unknown = sorted(set(request.data) - set(given.fields)) if hasattr(request.data, "keys") else []
        if unknown:
            raise InvalidInput(f"unknown field {unknown[0]}; known: kind, training_set, parameters", field=unknown[0])
        run = training_run_start(
            kind=given.validated_data["kind"],
            training_set_id=given.validated_data["training_set"],
            parameters=given.validated_data["parameters"],
            actor=request.user,
            source=client_address(request),
        )
        run = selectors.training_run_get(training_run_id=run.id)
        return Response(TrainingRunDetailSerializer(run).data, status=status.HTTP_201_CREATED)


class TrainingRunDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        responses={200: TrainingRunDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="One training run with its log and data snapshot (admins only)",
    )
    def get(self, request, training_run_id: int):
        run = selectors.training_run_get(training_run_id=training_run_id)
        return Response(TrainingRunDetailSerializer(run).data)


class TrainingRunCancelApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        request=None,
        responses={200: TrainingRunDetailSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        summary="Cancel a pending or running training run (admins only)",
    )
    def post(self, request, training_run_id: int):
        run = selectors.training_run_get(training_run_id=training_run_id)
        training_run_cancel(training_run=run, actor=request.user, source=client_address(request))
        return Response(TrainingRunDetailSerializer(selectors.training_run_get(training_run_id=run.id)).data)


class ModelVersionEvaluationApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        responses={200: ModelEvaluationSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="The gate: candidate and the version it would replace, side by side per hospital (admins only)",
    )
    def get(self, request, model_version_id: int):
        model_version = selectors.model_version_get(model_version_id=model_version_id)
        return Response(ModelEvaluationSerializer(model_version_gate(model_version=model_version)).data)


class ModelVersionActivateApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        request=ActivateSerializer,
        responses={200: ModelVersionSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer},
        summary="Activate a version through the gate, or roll back to an earlier one (admins only)",
    )
    def post(self, request, model_version_id: int):
        given = ActivateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        model_version = selectors.model_version_get(model_version_id=model_version_id)
        model_version_activate_gated(
            model_version=model_version,
            reason=given.validated_data.get("reason", ""),
            actor=request.user,
            source=client_address(request),
        )
        return Response(ModelVersionSerializer(selectors.model_version_get(model_version_id=model_version_id)).data)
