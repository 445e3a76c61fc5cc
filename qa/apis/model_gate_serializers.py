"""The gate's table (GET /api/model-versions/{id}/evaluation/) and the requests of training and activation."""

from rest_framework import serializers

from qa.apis.serializers import ModelKindField
from qa.models import ModelKind


class TrainingRunStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices)
    training_set = serializers.IntegerField(min_value=1, help_text="Id of a frozen training set")
    parameters = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        default=dict,
        help_text="epochs, lr, batch_size, seed, synthetic_base, synthetic_test, steps_per_epoch, "
        "reference_candidates; each optional (docs/retraining.md); an unknown key is a 400",
    )


class ActivateSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Needed to override the gate (a regression, no evaluation); recorded in the audit log",
    )


class GateModelRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = ModelKindField()
    version = serializers.CharField()


class GateMarginSerializer(serializers.Serializer):
    rate = serializers.FloatField(help_text="FUSQA_GATE_MARGIN: rates and ECE")
    ga_days = serializers.FloatField(help_text="FUSQA_GATE_GA_MARGIN_DAYS: GA errors")


class GateRegressionSerializer(serializers.Serializer):
    hospital = serializers.CharField()
    metric = serializers.CharField()
    candidate = serializers.FloatField()
    baseline = serializers.FloatField()
    by = serializers.FloatField(help_text="How much worse the candidate is")


class GateHospitalSerializer(serializers.Serializer):
    hospital = serializers.CharField(help_text='Hospital slug, or "synthetic" for the phantom test set')
    count = serializers.IntegerField(help_text="Held-out cases")
    candidate = serializers.DictField(child=serializers.FloatField(allow_null=True))
    baseline = serializers.DictField(child=serializers.FloatField(allow_null=True), allow_null=True)
    regressions = GateRegressionSerializer(many=True, help_text="This hospital's metrics beyond the margin")


class ModelEvaluationSerializer(serializers.Serializer):
    candidate = GateModelRefSerializer()
    baseline = GateModelRefSerializer(allow_null=True, help_text="The version it was compared with (its parent)")
    active = GateModelRefSerializer(allow_null=True, help_text="The version active now")
    baseline_is_active = serializers.BooleanField()
    evaluated_at = serializers.DateTimeField(allow_null=True)
    margin = GateMarginSerializer()
    metrics = serializers.ListField(child=serializers.CharField())
    hospitals = GateHospitalSerializer(many=True)
    regressions = GateRegressionSerializer(many=True)
    allowed = serializers.BooleanField(help_text="The gate lets it through without a reason")
