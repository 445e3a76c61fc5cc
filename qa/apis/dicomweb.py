"""DICOMweb STOW-RS: POST /dicomweb/studies and /dicomweb/studies/{StudyInstanceUID} (qa.services.stow)."""

import json

from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from qa.apis.client_address import client_address
from qa.apis.serializers import ErrorSerializer
from qa.errors import FusqaError
from qa.services.multipart_related import close_parts, read_parts, related_boundary
from qa.services.stow import DICOM_MEDIA_TYPE, stow_hospital_for, stow_store, stow_study_uid

DICOM_JSON = "application/dicom+json"


def _body_stream(request):
    """The request body as a stream. Behind nginx every body has a Content-Length; gunicorn alone also
    takes a chunked one (it sets wsgi.input_terminated), which Django's own request would read as empty."""
    if request.META.get("CONTENT_LENGTH"):
        return request._request
    if request.META.get("wsgi.input_terminated"):
        return request.META["wsgi.input"]
    raise FusqaError("The request has no Content-Length.", code="length_required", status_code=411)


_SCHEMA = {
    "summary": "Store DICOM instances (DICOMweb STOW-RS)",
    "description": (
        'multipart/related; type="application/dicom": each part one DICOM file, each ingested as an upload. '
        "Answers the PS3.18 Store Instances Response (application/dicom+json): 200 all stored, 202 some, "
        "409 none (400 when no part could be read). The hospital: ?hospital=<id or slug>, else the user's one."
    ),
    "parameters": [OpenApiParameter("hospital", str, required=False, description="Hospital id or slug")],
    "request": {"multipart/related": OpenApiTypes.BINARY},
    "responses": {
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="Store Instances Response (DICOM JSON)"),
        202: OpenApiResponse(OpenApiTypes.OBJECT, description="Some instances failed"),
        409: OpenApiResponse(OpenApiTypes.OBJECT, description="No instance stored"),
        400: ErrorSerializer,
        415: ErrorSerializer,
    },
}


class DicomJsonRenderer(JSONRenderer):
    """Errors before the body is stored (4xx) as JSON, also to a client that accepts only DICOM JSON."""

    media_type = DICOM_JSON


class StowApi(APIView):
    # The body is split by qa.services.multipart_related, not by a DRF parser.
    parser_classes: list = []
    renderer_classes = [JSONRenderer, DicomJsonRenderer]

    @extend_schema(operation_id="dicomweb_store_instances", **_SCHEMA)
    def post(self, request, study_instance_uid: str | None = None):
        study_uid = stow_study_uid(study_instance_uid)
        hospital = stow_hospital_for(user=request.user, hospital=request.query_params.get("hospital"))
        boundary = related_boundary(request.META.get("CONTENT_TYPE", ""), part_type=DICOM_MEDIA_TYPE)
        parts = read_parts(
            _body_stream(request),
            boundary=boundary,
            max_body_bytes=settings.FUSQA_MAX_STOW_BYTES,
            max_part_bytes=settings.FUSQA_MAX_UPLOAD_BYTES,
            max_parts=settings.FUSQA_MAX_STOW_INSTANCES,
        )
        try:
            result = stow_store(
                user=request.user,
                hospital=hospital,
                parts=parts,
                study_instance_uid=study_uid,
                source=f"dicomweb:{client_address(request)}",
            )
        finally:
            close_parts(parts)
        response = HttpResponse(
            json.dumps(result.response_dataset().to_json_dict()), status=result.http_status, content_type=DICOM_JSON
        )
        warnings = [_warning(message) for message in result.failure_messages()[:10]]
        if warnings:
            # PS3.18 8.7.2: what went wrong, in words, for a person reading the client's log.
            response.headers["Warning"] = ", ".join(warnings)
        return response


def _warning(message: str) -> str:
    text = " ".join(message.replace('"', "'").replace("\\", "/").split())[:200]
    return '299 fusqa "' + text.encode("ascii", "replace").decode("ascii") + '"'


class StowStudyApi(StowApi):
    """The same, into one study: an instance of another study fails (0xA900), the others are stored."""

    @extend_schema(operation_id="dicomweb_store_study_instances", **_SCHEMA)
    def post(self, request, study_instance_uid: str | None = None):
        return super().post(request, study_instance_uid)
