"""POST /api/uploads/: one DICOM, PNG or JPEG file into a hospital's studies."""

import math

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.apis.client_address import client_address
from qa.apis.serializers import FrameGeometrySerializer
from qa.errors import FusqaError, InvalidInput
from qa.permissions import hospitals_visible_to
from qa.services.ingest import ingest_upload


class UploadInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    hospital = serializers.IntegerField(min_value=1)
    spacing_mm = serializers.FloatField(required=False)
    spacing_row_mm = serializers.FloatField(required=False)
    spacing_col_mm = serializers.FloatField(required=False)
    reported_ga_days = serializers.FloatField(required=False)
    exam_date = serializers.DateField(required=False)
    machine_manufacturer = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")
    machine_model = serializers.CharField(required=False, allow_blank=True, max_length=64, default="")

    def validate(self, attrs):
        for name in ("spacing_mm", "spacing_row_mm", "spacing_col_mm"):
            value = attrs.get(name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise serializers.ValidationError({name: "Spacing must be a positive number of mm per pixel."})
        single = attrs.pop("spacing_mm", None)
        row, col = attrs.pop("spacing_row_mm", None), attrs.pop("spacing_col_mm", None)
        if single is not None and (row is not None or col is not None):
            raise serializers.ValidationError(
                {"spacing_mm": "Give either spacing_mm or spacing_row_mm and spacing_col_mm, not both."}
            )
        if (row is None) != (col is None):
            raise serializers.ValidationError(
                {"spacing_row_mm": "Give spacing_row_mm and spacing_col_mm together (or spacing_mm for both)."}
            )
        attrs["spacing"] = single if single is not None else ((row, col) if row is not None else None)
        return attrs


class UploadFrameSerializer(FrameGeometrySerializer):
    spacing_source = serializers.CharField()


class UploadOutputSerializer(serializers.Serializer):
    study = serializers.IntegerField(source="study.id")
    duplicate = serializers.BooleanField()
    frames = UploadFrameSerializer(many=True)


class UploadCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    input_serializer = UploadInputSerializer

    @extend_schema(request=UploadInputSerializer, responses={201: UploadOutputSerializer, 200: UploadOutputSerializer})
    def post(self, request):
        # The serializer would take one of them in silence; which one the sender meant is unknowable.
        parts = len(request.FILES.getlist("file"))
        if parts > 1:
            raise InvalidInput(f"Send one file per upload; this request has {parts} 'file' parts.", field="file")
        serializer = self.input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        # A hospital the user is not a member of answers 404, as every scoped row does.
        hospital = hospitals_visible_to(request.user).filter(pk=data["hospital"]).first()
        if hospital is None:
            raise FusqaError("No such hospital.", code="not_found", status_code=404, field="hospital")
        result = ingest_upload(
            user=request.user,
            hospital=hospital,
            uploaded_file=data["file"],
            spacing_mm=data["spacing"],
            reported_ga_days=data.get("reported_ga_days"),
            exam_date=data.get("exam_date"),
            machine_manufacturer=data["machine_manufacturer"],
            machine_model=data["machine_model"],
            source=client_address(request),
        )
        body = UploadOutputSerializer(result).data
        return Response(body, status=status.HTTP_200_OK if result.duplicate else status.HTTP_201_CREATED)
