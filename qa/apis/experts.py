"""Expert statistics (admins only): how fast each expert works and how far to trust them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.apis.serializers import ErrorSerializer, UserRefSerializer
from qa.expert_selectors import expert_stats
from qa.permissions import IsFusqaAdmin


class ExpertRowSerializer(serializers.Serializer):
    expert = UserRefSerializer()
    reviews = serializers.IntegerField()
    corrections = serializers.IntegerField(help_text="Reviews that came with a corrected mask")
    active_hours = serializers.FloatField(help_text="Time at work: gaps of at most 5 min between reviews")
    items_per_hour = serializers.FloatField(allow_null=True, help_text="Reviews per active hour")
    median_seconds_per_item = serializers.FloatField(allow_null=True)
    double_reads = serializers.IntegerField(help_text="Double-read items this expert read")
    kappa_with_others = serializers.FloatField(allow_null=True, help_text="Cohen's kappa of verdicts")
    correction_dice = serializers.FloatField(allow_null=True, help_text="Mean Dice with the other expert's correction")
    crl_difference_mm = serializers.FloatField(allow_null=True, help_text="Mean |CRL difference| of the corrections")
    known_answer_reads = serializers.IntegerField()
    known_answer_accuracy = serializers.FloatField(allow_null=True, help_text="Share of known-answer items right")


class ExpertPairSerializer(serializers.Serializer):
    experts = UserRefSerializer(many=True)
    items = serializers.IntegerField()
    kappa = serializers.FloatField(allow_null=True)
    correction_dice = serializers.FloatField(allow_null=True)
    crl_difference_mm = serializers.FloatField(allow_null=True)


class ExpertOverallSerializer(serializers.Serializer):
    reviews = serializers.IntegerField()
    double_read_items = serializers.IntegerField()
    kappa = serializers.FloatField(allow_null=True)
    correction_dice = serializers.FloatField(allow_null=True)
    crl_difference_mm = serializers.FloatField(allow_null=True)
    known_answer_reads = serializers.IntegerField()
    known_answer_accuracy = serializers.FloatField(allow_null=True)


class ExpertStatsSerializer(serializers.Serializer):
    experts = ExpertRowSerializer(many=True)
    pairs = ExpertPairSerializer(many=True)
    overall = ExpertOverallSerializer()


class ExpertStatsApi(APIView):
    permission_classes = [IsAuthenticated, IsFusqaAdmin]

    @extend_schema(
        responses={200: ExpertStatsSerializer, 403: ErrorSerializer},
        summary="Per expert: reviews, items per hour, median seconds, agreement, known-answer accuracy (admins)",
    )
    def get(self, request):
        return Response(ExpertStatsSerializer(expert_stats()).data)
