"""Training sets (admins only): freeze every reviewed item into a new version, list them, download one."""

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.apis.client_address import client_address
from qa.apis.serializers import ErrorSerializer, UserRefSerializer
from qa.errors import InvalidInput
from qa.permissions import IsFusqaAdmin
from qa.services.training_sets import training_set_download, training_set_freeze
from qa.training_set_selectors import training_set_get, training_set_list


class TrainingSetSummarySerializer(serializers.Serializer):
    labels = serializers.DictField(child=serializers.IntegerField(), help_text="Items per training label")
    hospitals = serializers.DictField(child=serializers.IntegerField(), help_text="Items per hospital slug")
    machines = serializers.DictField(child=serializers.IntegerField(), help_text="Items per machine name")
    splits = serializers.DictField(child=serializers.IntegerField(), help_text="Items per split (train, test)")
    reviews = serializers.IntegerField()
    corrections = serializers.IntegerField()
    hospital_ids = serializers.ListField(child=serializers.IntegerField())


class TrainingSetSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField(help_text="1, 2, 3… in order of freezing")
    items = serializers.IntegerField(help_text="Reviewed items (manifest lines)")
    sha256 = serializers.CharField(help_text="Of the zip archive")
    summary = TrainingSetSummarySerializer(help_text="Counts per label, hospital, machine and split")
    created_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, training_set) -> str:
        return f"/api/training-sets/{training_set.pk}/download/"


class TrainingSetListApi(GenericAPIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]
    serializer_class = TrainingSetSerializer

    @extend_schema(
        responses={200: TrainingSetSerializer(many=True), 403: ErrorSerializer},
        summary="Frozen training sets, newest version first (admins only)",
    )
    def get(self, request):
        page = self.paginate_queryset(training_set_list())
        return self.get_paginated_response(TrainingSetSerializer(page, many=True).data)

    @extend_schema(
        request=None,
        responses={201: TrainingSetSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
        summary="Freeze every reviewed item into a new training-set version (admins only; 409 when none)",
    )
    def post(self, request):
        if hasattr(request.data, "keys") and list(request.data.keys()):
            # Nothing to choose: a set is always every reviewed item. Said rather than ignored.
            names = ", ".join(sorted(request.data.keys()))
            raise InvalidInput(
                f"A training set takes no parameters (it freezes every reviewed item); got: {names}.",
                code="unexpected_fields",
            )
        training_set = training_set_freeze(actor=request.user, source=client_address(request))
        return Response(TrainingSetSerializer(training_set).data, status=status.HTTP_201_CREATED)


class TrainingSetDetailApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        responses={200: TrainingSetSerializer, 403: ErrorSerializer, 404: ErrorSerializer},
        summary="One frozen training set (admins only)",
    )
    def get(self, request, training_set_id: int):
        return Response(TrainingSetSerializer(training_set_get(training_set_id=training_set_id)).data)


class TrainingSetDownloadApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    def perform_content_negotiation(self, request, force=False):
        # A browser download asks for application/zip, which no JSON renderer offers: errors still go out as JSON.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The zip"),
            (403, "application/json"): ErrorSerializer,
            (404, "application/json"): ErrorSerializer,
        },
        summary="Stream a frozen training set as a zip (admins only; recorded in the audit log)",
    )
    def get(self, request, training_set_id: int):
        training_set = training_set_get(training_set_id=training_set_id)
        try:
            handle = training_set.archive.open("rb")
        except (FileNotFoundError, ValueError):
            raise NotFound(f"The archive of training set v{training_set.version} is missing.") from None
        training_set_download(actor=request.user, training_set=training_set, source=client_address(request))
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=f"fusqa-training-set-v{training_set.version}.zip",
            content_type="application/zip",
        )
        response["Cache-Control"] = "private, no-store"
        return response
