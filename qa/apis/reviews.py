"""The review queue, its leases, and expert reviews (verdicts and corrected masks)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.apis.client_address import client_address
from qa.apis.masks import ReviewListApi
from qa.apis.serializers import ErrorSerializer, ReviewSerializer, VerdictField
from qa.errors import InvalidInput, PayloadTooLarge
from qa.review_selectors import QueueFilters, review_queue
from qa.services.reviews import review_lease_next, review_lease_release, review_submit

# A mask PNG of even a large frame is a few hundred kB; anything far bigger is not a mask.
MAX_MASK_BYTES = 8 * 1024 * 1024


class QueueFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1)
    machine = serializers.IntegerField(required=False, min_value=1)
    p_min = serializers.FloatField(required=False, min_value=0, max_value=1)
    p_max = serializers.FloatField(required=False, min_value=0, max_value=1)

    def validate(self, attrs):
        if "from" in attrs and "to" in attrs and attrs["from"] > attrs["to"]:
            raise serializers.ValidationError({"from": "from must be on or before to."})
        if "p_min" in attrs and "p_max" in attrs and attrs["p_min"] > attrs["p_max"]:
            raise serializers.ValidationError({"p_min": "p_min must be at most p_max."})
        return attrs

    def filters(self) -> QueueFilters:
        data = self.validated_data
        return QueueFilters(
            hospital_id=data.get("hospital"),
            machine_id=data.get("machine"),
            date_from=data.get("from"),
            date_to=data.get("to"),
            p_min=data.get("p_min"),
            p_max=data.get("p_max"),
        )


# "from" is a Python keyword, so these two are declared outside the class body (before any subclass).
QueueFilterSerializer._declared_fields["from"] = serializers.DateField(
    required=False, help_text="First day (exam date, or upload day without one)"
)
QueueFilterSerializer._declared_fields["to"] = serializers.DateField(required=False, help_text="Last day, included")


class QueueListFilterSerializer(QueueFilterSerializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class ReasonSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=["uncertain", "ga_discordant", "open_alert", "rare_machine", "unreviewed", "double_read"]
    )
    message = serializers.CharField()


class QueueItemSerializer(serializers.Serializer):
    frame = serializers.IntegerField(source="frame_id")
    mask = serializers.IntegerField(source="mask_id")
    hospital = serializers.IntegerField(source="hospital_id")
    machine = serializers.IntegerField(source="machine_id", allow_null=True)
    p_good = serializers.FloatField(allow_null=True)
    assessment_label = serializers.CharField()
    score = serializers.FloatField(help_text="Learning value in [0, 1] (qa.review_value); the queue's order")
    reads_needed = serializers.IntegerField(help_text="2 for an item read by two experts, for agreement")
    reads_taken = serializers.IntegerField(help_text="Reviews given plus live leases")
    reasons = ReasonSerializer(many=True)


class QueueOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField(help_text="Items listed (at most `limit`)")
    results = QueueItemSerializer(many=True)


class ReviewQueueApi(APIView):
    @extend_schema(
        parameters=[QueueListFilterSerializer],
        responses={200: QueueOutputSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Items waiting for the caller's review, most valuable first, each with why it is there",
    )
    def get(self, request):
        filters = QueueListFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        items = review_queue(user=request.user, filters=filters.filters(), limit=filters.validated_data["limit"])
        return Response(QueueOutputSerializer({"count": len(items), "results": items}).data)


class LeaseOutputSerializer(serializers.Serializer):
    lease_id = serializers.IntegerField(source="id")
    lease_expires_at = serializers.DateTimeField(source="expires_at")
    frame = serializers.IntegerField(source="frame_id")
    mask = serializers.IntegerField(source="mask_id")
    slot = serializers.IntegerField(help_text="1, or 2 for the second read of a double-read item")
    reason = ReasonSerializer(many=True)


class ReviewLeaseApi(APIView):
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    @extend_schema(
        parameters=[QueueFilterSerializer],
        request=None,
        responses={
            201: LeaseOutputSerializer,
            204: OpenApiResponse(description="Nothing is waiting for the caller under these filters"),
            400: ErrorSerializer,
            403: ErrorSerializer,
        },
        summary="Lease the most valuable waiting item to the caller (same filters as the queue, in the query)",
    )
    def post(self, request):
        # The filters may come in the query (as for the queue) or in a JSON/form body.
        body = request.data if hasattr(request.data, "keys") else {}
        filters = QueueFilterSerializer(data={**request.query_params.dict(), **{k: body[k] for k in body.keys()}})
        filters.is_valid(raise_exception=True)
        lease = review_lease_next(expert=request.user, filters=filters.filters(), source=client_address(request))
        if lease is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(LeaseOutputSerializer(lease).data, status=status.HTTP_201_CREATED)


class LeaseReleasedSerializer(serializers.Serializer):
    lease_id = serializers.IntegerField(source="id")
    frame = serializers.IntegerField(source="frame_id")
    mask = serializers.IntegerField(source="mask_id")
    state = serializers.CharField(help_text='"released"')


class ReviewLeaseReleaseApi(APIView):
    @extend_schema(
        request=None,
        responses={200: LeaseReleasedSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
        summary="Give a leased item back unreviewed (skip): it returns to the queue for the other experts",
    )
    def post(self, request, lease_id: int):
        lease = review_lease_release(expert=request.user, lease_id=lease_id, source=client_address(request))
        return Response(LeaseReleasedSerializer(lease).data)


class ReviewInputSerializer(serializers.Serializer):
    lease_id = serializers.IntegerField(min_value=1)
    verdict = VerdictField()
    mask = serializers.FileField(
        required=False,
        allow_empty_file=False,
        help_text="The corrected mask: a PNG of the frame's size, values 0/1 or 0/255 (multipart only)",
    )
    seconds_spent = serializers.FloatField(min_value=0, max_value=86400)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000, default="")


class ReviewCreatedSerializer(serializers.Serializer):
    review = ReviewSerializer()
    corrected_mask = serializers.IntegerField(allow_null=True, help_text="The new expert mask's id, if corrected")
    corrected_mask_version = serializers.IntegerField(allow_null=True, help_text="Its version on the frame")


class ReviewListCreateApi(ReviewListApi):
    """GET lists reviews (as before); POST gives the verdict on a leased item."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ReviewInputSerializer, "application/json": ReviewInputSerializer},
        responses={
            201: ReviewCreatedSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            409: ErrorSerializer,
            413: ErrorSerializer,
        },
        summary="An expert's verdict on their leased item, with a corrected mask if they drew one",
    )
    def post(self, request):
        parts = len(request.FILES.getlist("mask"))
        if parts > 1:
            raise InvalidInput(f"Send one corrected mask; this request has {parts} 'mask' parts.", field="mask")
        serializer = ReviewInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        corrected_png = None
        if "mask" in data:
            if data["mask"].size > MAX_MASK_BYTES:
                raise PayloadTooLarge(f"A corrected mask is at most {MAX_MASK_BYTES} bytes.", field="mask")
            corrected_png = data["mask"].read()
        outcome = review_submit(
            expert=request.user,
            lease_id=data["lease_id"],
            verdict=data["verdict"],
            seconds_spent=data["seconds_spent"],
            corrected_png=corrected_png,
            comment=data["comment"],
            source=client_address(request),
        )
        corrected = outcome.corrected_mask
        body = {
            "review": ReviewSerializer(outcome.review).data,
            "corrected_mask": corrected.id if corrected else None,
            "corrected_mask_version": corrected.version if corrected else None,
        }
        return Response(body, status=status.HTTP_201_CREATED)
