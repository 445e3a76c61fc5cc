"""Output serializers of the read API. Each names exactly what leaves the server; none writes.

Names are unique across the project because drf-spectacular turns each into a schema component
(and the frontend's generated types) under its name.
"""

from django.db.models import TextChoices
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from qa.calibration import reliability_bins
from qa.models import Assessment, FrameSource, JobStatus, MaskKind, ModelKind, ModelStatus, Role, RunStatus, Verdict
from qa.quality_math import ga_dating_fitness, p_good_reliability


def _enum_field(choices: type[TextChoices], component_name: str) -> type[serializers.ChoiceField]:
    """A read-only choice field published once as a named enum, whichever serializers use it."""

    @extend_schema_field({"type": "string", "enum": list(choices.values)}, component_name=component_name)
    class EnumField(serializers.ChoiceField):
        def __init__(self, **kwargs):
            super().__init__(choices=choices.choices, **kwargs)

    EnumField.__name__ = f"{component_name}Field"
    return EnumField


RoleField = _enum_field(Role, "Role")
JobStatusField = _enum_field(JobStatus, "JobStatus")
MaskKindField = _enum_field(MaskKind, "MaskKind")
ModelKindField = _enum_field(ModelKind, "ModelKind")
ModelStatusField = _enum_field(ModelStatus, "ModelStatus")
RunStatusField = _enum_field(RunStatus, "RunStatus")
VerdictField = _enum_field(Verdict, "Verdict")
FrameSourceField = _enum_field(FrameSource, "FrameSource")
QualityLabelField = _enum_field(Assessment.Label, "QualityLabel")


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    field = serializers.CharField(required=False)
    details = serializers.JSONField(required=False)


class ErrorSerializer(serializers.Serializer):
    """Every error: {"error": {"code", "message", "field"?, "details"?}}."""

    error = ErrorBodySerializer()


# Small references to a related row, used inside larger objects.


class HospitalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()


class MachineRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    manufacturer = serializers.CharField()
    model_name = serializers.CharField()


class UserRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()


class ModelVersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = ModelKindField()
    version = serializers.CharField()


# Accounts


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    role = RoleField()
    hospitals = HospitalRefSerializer(many=True)


# Hospitals and machines


class MachineSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hospital = serializers.IntegerField(source="hospital_id")
    manufacturer = serializers.CharField()
    model_name = serializers.CharField()
    created_at = serializers.DateTimeField()


class HospitalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    created_at = serializers.DateTimeField()
    machines = MachineRefSerializer(many=True)


# Studies and frames


class FrameGeometrySerializer(serializers.Serializer):
    """Which frame, its size in pixels, and the physical size of a pixel."""

    id = serializers.IntegerField()
    frame_number = serializers.IntegerField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    spacing_row_mm = serializers.FloatField()
    spacing_col_mm = serializers.FloatField()


class FrameSummarySerializer(FrameGeometrySerializer):
    """A frame as a study lists it: where it is in processing, and its latest quality verdict."""

    source = FrameSourceField()
    created_at = serializers.DateTimeField()
    status = JobStatusField(allow_null=True, help_text="The latest processing job's status; null if none")
    reason = serializers.CharField(source="status_reason", allow_null=True, help_text="Why it failed, if it did")
    p_good = serializers.FloatField(allow_null=True, help_text="The latest assessment's P(good); null if none")
    label = QualityLabelField(source="quality_label", allow_null=True)
    reasons = serializers.ListField(
        child=serializers.CharField(),
        source="quality_reasons",
        allow_null=True,
        help_text="Why the latest assessment is unknown, in short sentences; empty for good and poor, null if none",
    )
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, frame) -> str:
        return reverse("frame-image", args=[frame.id])


class StudySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    hospital = HospitalRefSerializer()
    machine = MachineRefSerializer(allow_null=True)
    patient_key = serializers.CharField(help_text="Keyed hash of the patient; equal within a hospital")
    exam_date = serializers.DateField(allow_null=True)
    reported_ga_days = serializers.FloatField(allow_null=True)
    created_at = serializers.DateTimeField()
    frame_count = serializers.IntegerField()
    quality = QualityLabelField(
        allow_null=True, help_text="poor if any frame is poor, else unknown if any is, else good; null: none judged"
    )
    status = JobStatusField(
        allow_null=True, help_text="pending while any frame is pending or running, else failed if any failed, else done"
    )
    good_frames = serializers.IntegerField()
    poor_frames = serializers.IntegerField()
    unknown_frames = serializers.IntegerField(help_text="Out of distribution, implausible mask, or failed")
    in_flight_frames = serializers.IntegerField(help_text="Frames whose latest job is pending or running")
    lowest_p_good = serializers.FloatField(allow_null=True, help_text="The lowest p(good) of its frames")


class StudyDetailSerializer(StudySerializer):
    frames = FrameSummarySerializer(many=True)


class MaskSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = MaskKindField()
    version = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    model_version = ModelVersionRefSerializer(allow_null=True)
    created_by = UserRefSerializer(allow_null=True, help_text="The expert who drew it; null for a model's mask")
    area_px = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    image_url = serializers.SerializerMethodField()

    def get_image_url(self, mask) -> str:
        return reverse("mask-image", args=[mask.id])


class ReliabilitySerializer(serializers.Serializer):
    p_low = serializers.FloatField(help_text="The bin of p(good) this score falls in: from (included)")
    p_high = serializers.FloatField(help_text="to (excluded; 1.0 included in the last bin)")
    count = serializers.IntegerField(help_text="Test masks of the model's evaluation scored in this bin")
    good_rate = serializers.FloatField(help_text="Share of them that was good")
    good_rate_low = serializers.FloatField(help_text="95 % Wilson interval, lower bound")
    good_rate_high = serializers.FloatField(help_text="95 % Wilson interval, upper bound")


class AssessmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mask = serializers.IntegerField(source="mask_id")
    p_good = serializers.FloatField(help_text="Platt-calibrated probability that the mask is good")
    label = QualityLabelField()
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the label is unknown (an implausible mask, or a frame unlike the training data); else empty",
    )
    ood_score = serializers.FloatField(
        allow_null=True,
        help_text="Distance of the (frame, mask) pair from the training data; above the model's threshold: unknown",
    )
    model_version = ModelVersionRefSerializer()
    created_at = serializers.DateTimeField()
    reliability = serializers.SerializerMethodField(
        help_text="What this p(good) was worth on the model's evaluation (unseen hospital); null: not known"
    )

    @extend_schema_field(ReliabilitySerializer(allow_null=True))
    def get_reliability(self, assessment) -> dict | None:
        bins = reliability_bins(assessment.model_version)
        found = p_good_reliability(assessment.p_good, bins) if bins else None
        return ReliabilitySerializer(found).data if found else None


class PointSerializer(serializers.Serializer):
    row = serializers.FloatField()
    col = serializers.FloatField()


class MeasurementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mask = serializers.IntegerField(source="mask_id")
    crl_mm = serializers.FloatField()
    p1 = serializers.SerializerMethodField(help_text="One calliper end, in pixel coordinates of the frame")
    p2 = serializers.SerializerMethodField(help_text="The other calliper end")
    ga_days = serializers.FloatField(allow_null=True)
    formula = serializers.CharField()
    in_formula_range = serializers.BooleanField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(PointSerializer)
    def get_p1(self, measurement) -> dict:
        return {"row": measurement.p1_row, "col": measurement.p1_col}

    @extend_schema_field(PointSerializer)
    def get_p2(self, measurement) -> dict:
        return {"row": measurement.p2_row, "col": measurement.p2_col}


class DatingSerializer(serializers.Serializer):
    fit = serializers.BooleanField(help_text="Only a GA from a mask judged good, with a CRL in the formula's range")
    reason = serializers.CharField(allow_null=True, help_text="Why not, in words; null when fit")


class FrameDetailSerializer(FrameSummarySerializer):
    study = serializers.IntegerField(source="study_id")
    hospital = HospitalRefSerializer()
    spacing_source = serializers.CharField()
    masks = MaskSummarySerializer(many=True)
    latest_assessment = AssessmentSerializer(allow_null=True)
    latest_measurement = MeasurementSerializer(allow_null=True)
    dating = serializers.SerializerMethodField(help_text="Whether the latest measurement's GA may date the pregnancy")

    @extend_schema_field(DatingSerializer)
    def get_dating(self, frame) -> dict:
        measurement, assessment = frame.latest_measurement, frame.latest_assessment
        fitness = ga_dating_fitness(
            assessment.label if assessment else None, measurement.in_formula_range if measurement else None
        )
        return {"fit": fitness.fit, "reason": fitness.reason}


# Masks and reviews


class MaskDetailSerializer(MaskSummarySerializer):
    frame = serializers.IntegerField(source="frame_id")
    study = serializers.IntegerField(source="frame.study_id")
    hospital = serializers.IntegerField(source="frame.hospital_id")
    assessments = AssessmentSerializer(many=True)
    measurements = MeasurementSerializer(many=True)


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    mask = serializers.IntegerField(source="mask_id")
    frame = serializers.IntegerField(source="mask.frame_id")
    hospital = serializers.IntegerField(source="mask.frame.hospital_id")
    expert = UserRefSerializer()
    verdict = VerdictField()
    corrected_mask = serializers.IntegerField(source="corrected_mask_id", allow_null=True)
    seconds_spent = serializers.FloatField()
    comment = serializers.CharField()
    lease = serializers.IntegerField(source="lease_id", allow_null=True)
    training_label = serializers.CharField(
        help_text="good, poor or excluded: the label training learns for the reviewed mask (empty for old reviews)"
    )
    label_dice = serializers.FloatField(allow_null=True, help_text="Reviewed mask vs the correction")
    label_crl_error = serializers.FloatField(allow_null=True, help_text="Relative, signed, vs the correction")
    label_ga_error_days = serializers.FloatField(allow_null=True, help_text="Signed, vs the correction")
    created_at = serializers.DateTimeField()


# Models and their training


class ModelVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = ModelKindField()
    version = serializers.CharField()
    status = ModelStatusField()
    weights_file = serializers.CharField()
    sha256 = serializers.CharField()
    metrics = serializers.DictField(child=serializers.JSONField())
    training_run = serializers.IntegerField(source="training_run_id", allow_null=True)
    training_set = serializers.IntegerField(source="training_set_id", allow_null=True)
    parent = ModelVersionRefSerializer(allow_null=True, help_text="The version it was fine-tuned from")
    parameters = serializers.DictField(child=serializers.JSONField(), help_text="Of the run that trained it")
    code_version = serializers.CharField(help_text="git commit of the training code")
    has_evaluation = serializers.SerializerMethodField(help_text="GET …/evaluation/ has the gate's table")
    created_at = serializers.DateTimeField()
    activated_at = serializers.DateTimeField(allow_null=True)

    def get_has_evaluation(self, model_version) -> bool:
        return bool(model_version.evaluation)


class TrainingRunEpochSerializer(serializers.Serializer):
    epoch = serializers.IntegerField()
    loss = serializers.FloatField()
    validation_metric = serializers.FloatField(allow_null=True)


VALIDATION_METRIC_NAMES = {ModelKind.FUSQA: "auc", ModelKind.SEGMENTATION: "dice"}
LOG_TAIL_LINES = 40


class TrainingRunSerializer(serializers.Serializer):
    """docs/retraining.md, "Watch a run"."""

    id = serializers.IntegerField()
    kind = ModelKindField()
    status = RunStatusField()
    progress = serializers.FloatField(help_text="0 to 1")
    epoch = serializers.IntegerField(allow_null=True, help_text="The epoch under way (or the last one)")
    epochs = serializers.SerializerMethodField(help_text="Epochs the run will train")
    loss = serializers.FloatField(allow_null=True, help_text="Training loss of the latest batch or epoch")
    validation_metric = serializers.FloatField(allow_null=True)
    validation_metric_name = serializers.SerializerMethodField(help_text="auc (fusqa) or dice (segmentation)")
    eta_seconds = serializers.FloatField(allow_null=True)
    history = TrainingRunEpochSerializer(many=True, help_text="One entry per finished epoch: the loss curve")
    log_tail = serializers.SerializerMethodField(help_text=f"The last {LOG_TAIL_LINES} lines of the log")
    error = serializers.CharField(help_text="The failure reason of a failed run")
    training_set = serializers.IntegerField(source="training_set_id", allow_null=True)
    parameters = serializers.DictField(child=serializers.JSONField())
    attempts = serializers.IntegerField(help_text="Workers that took it up (more than 1: it resumed)")
    heartbeat_at = serializers.DateTimeField(allow_null=True)
    created_by = UserRefSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    candidate = serializers.SerializerMethodField(help_text="The candidate the run produced (done runs)")
    model_versions = ModelVersionRefSerializer(many=True, help_text="Versions this run produced")

    def get_epochs(self, run) -> int | None:
        return (run.parameters or {}).get("epochs")

    def get_validation_metric_name(self, run) -> str:
        return VALIDATION_METRIC_NAMES.get(run.kind, "")

    def get_log_tail(self, run) -> str:
        return "\n".join(run.log.splitlines()[-LOG_TAIL_LINES:])

    @extend_schema_field(ModelVersionRefSerializer(allow_null=True))
    def get_candidate(self, run) -> dict | None:
        versions = list(run.model_versions.all())
        return ModelVersionRefSerializer(versions[-1]).data if versions else None


class TrainingRunDetailSerializer(TrainingRunSerializer):
    log = serializers.CharField()
    data_snapshot = serializers.DictField(child=serializers.JSONField(), help_text="What the run trained on")
