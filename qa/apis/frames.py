"""A frame with its masks, latest assessment and measurement; and the frame's stored PNG."""

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.serializers import ErrorSerializer, FrameDetailSerializer
from qa.services.thumbnails import THUMBNAIL_MAX_SIDE, thumbnail_png

PNG_RESPONSES = {
    (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description="The stored PNG"),
    (404, "application/json"): ErrorSerializer,
}
IMAGE_DESCRIPTION = "Streams the stored PNG; a row of a hospital you do not see answers 404."


class StoredImageApi(APIView):
    """Serves a stored PNG. An <img> tag asks for image/*, which no JSON renderer offers: rather than
    406, errors still go out as JSON and the image itself bypasses the renderers."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


def stored_png_response(stored: FieldFile, *, filename: str) -> FileResponse:
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError):
        raise NotFound("The stored image file is missing.") from None
    response = FileResponse(handle, content_type="image/png", filename=filename)
    # Patient images: never kept in a shared cache, nor on the disk of the browser that showed them.
    response["Cache-Control"] = "private, no-store"
    return response


class FrameDetailApi(APIView):
    @extend_schema(
        responses={200: FrameDetailSerializer, 404: ErrorSerializer},
        summary="One frame: status, masks, latest assessment and measurement",
    )
    def get(self, request, frame_id: int):
        frame = selectors.frame_get(user=request.user, frame_id=frame_id)
        return Response(FrameDetailSerializer(frame).data)


class FrameImageApi(StoredImageApi):
    @extend_schema(responses=PNG_RESPONSES, summary="The frame's stored PNG", description=IMAGE_DESCRIPTION)
    def get(self, request, frame_id: int):
        frame = selectors.frame_image_get(user=request.user, frame_id=frame_id)
        return stored_png_response(frame.pixels, filename=f"frame-{frame.id}.png")


class FrameThumbnailApi(StoredImageApi):
    @extend_schema(
        responses=PNG_RESPONSES,
        summary=f"The frame scaled down to at most {THUMBNAIL_MAX_SIDE} px on its longer side, as PNG",
        description=IMAGE_DESCRIPTION,
    )
    def get(self, request, frame_id: int):
        frame = selectors.frame_image_get(user=request.user, frame_id=frame_id)
        response = HttpResponse(thumbnail_png(frame.pixels), content_type="image/png")
        response["Cache-Control"] = "private, no-store"
        return response
