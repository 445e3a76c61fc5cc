"""One mask version with its assessments and measurements; its stored PNG; the expert reviews."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.frames import IMAGE_DESCRIPTION, PNG_RESPONSES, StoredImageApi, stored_png_response
from qa.apis.serializers import ErrorSerializer, MaskDetailSerializer, ReviewSerializer


class MaskDetailApi(APIView):
    @extend_schema(
        responses={200: MaskDetailSerializer, 404: ErrorSerializer},
        summary="One mask version with its assessments and measurements",
    )
    def get(self, request, mask_id: int):
        mask = selectors.mask_get(user=request.user, mask_id=mask_id)
        return Response(MaskDetailSerializer(mask).data)


class MaskImageApi(StoredImageApi):
    @extend_schema(responses=PNG_RESPONSES, summary="The mask's stored PNG", description=IMAGE_DESCRIPTION)
    def get(self, request, mask_id: int):
        mask = selectors.mask_image_get(user=request.user, mask_id=mask_id)
        return stored_png_response(mask.data, filename=f"mask-{mask.id}.png")


class ReviewFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1)
    frame = serializers.IntegerField(required=False, min_value=1)
    mask = serializers.IntegerField(required=False, min_value=1)


class ReviewListApi(GenericAPIView):
    serializer_class = ReviewSerializer

    @extend_schema(
        parameters=[ReviewFilterSerializer],
        responses=ReviewSerializer(many=True),
        summary="Expert reviews in the hospitals the user sees, newest first",
    )
    def get(self, request):
        filters = ReviewFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        reviews = selectors.review_list(
            user=request.user,
            hospital_id=filters.validated_data.get("hospital"),
            frame_id=filters.validated_data.get("frame"),
            mask_id=filters.validated_data.get("mask"),
        )
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(ReviewSerializer(page, many=True).data)
