"""Results back in DICOM: a mask's SEG and a frame's SR, as files (same permissions as the frame)."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from qa import selectors
from qa.apis.frames import StoredImageApi
from qa.apis.serializers import ErrorSerializer
from qa.services.dicom_results import DicomResult, frame_report, mask_segmentation


def _responses(what: str) -> dict:
    return {
        (200, "application/dicom"): OpenApiResponse(OpenApiTypes.BINARY, description=what),
        (404, "application/json"): ErrorSerializer,
        (409, "application/json"): OpenApiResponse(
            ErrorSerializer,
            description="no_dicom_source: the frame was uploaded as PNG/JPEG; "
            "nothing_to_report: no result, or no measurement, yet",
        ),
    }


def dicom_response(result: DicomResult) -> HttpResponse:
    response = HttpResponse(result.data, content_type="application/dicom")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


class MaskSegApi(StoredImageApi):
    @extend_schema(
        responses=_responses("DICOM Segmentation (BINARY, one segment: Fetus) referencing the stored image"),
        summary="The mask as a DICOM SEG (any mask kind, expert corrections included)",
    )
    def get(self, request, mask_id: int):
        mask = selectors.mask_dicom_get(user=request.user, mask_id=mask_id)
        return dicom_response(mask_segmentation(mask=mask))


class FrameSrApi(StoredImageApi):
    @extend_schema(
        responses=_responses("DICOM Comprehensive SR (TID 1500): CRL, gestational age, FUSQA verdict and p(good)"),
        summary="The frame's latest processed result as a DICOM SR",
    )
    def get(self, request, frame_id: int):
        frame = selectors.frame_image_get(user=request.user, frame_id=frame_id)
        return dicom_response(frame_report(frame=frame))
