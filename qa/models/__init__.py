"""The domain's tables. Each file holds one part of it; import from here."""

from qa.models.accounts import Membership, Role, User
from qa.models.alerts import DriftAlert, DriftRule
from qa.models.audit import AuditAction, AuditEvent, AuditLogIsAppendOnly
from qa.models.dashboard import DailyQuality, DriftSettings
from qa.models.dicom_network import CallingAE
from qa.models.hospitals import Hospital, Machine
from qa.models.jobs import JobStatus, ProcessingJob
from qa.models.known_answers import KnownAnswer, KnownAnswerSource
from qa.models.masks import Assessment, Mask, MaskKind, Measurement, Review, TrainingLabel, Verdict
from qa.models.modelling import ModelKind, ModelStatus, ModelVersion, RunStatus, TrainingRun, TrainingSet
from qa.models.pacs import DicomSend, DicomSendStatus, PacsDestination
from qa.models.review_queue import LeaseState, ReviewLease
from qa.models.studies import Frame, FrameSource, Study
from qa.models.workers import WorkerHeartbeat

__all__ = [
    "Assessment",
    "AuditAction",
    "AuditEvent",
    "AuditLogIsAppendOnly",
    "CallingAE",
    "DailyQuality",
    "DicomSend",
    "DicomSendStatus",
    "DriftAlert",
    "DriftRule",
    "DriftSettings",
    "Frame",
    "FrameSource",
    "Hospital",
    "JobStatus",
    "KnownAnswer",
    "KnownAnswerSource",
    "LeaseState",
    "Machine",
    "Mask",
    "MaskKind",
    "Measurement",
    "Membership",
    "ModelKind",
    "ModelStatus",
    "ModelVersion",
    "PacsDestination",
    "ProcessingJob",
    "Review",
    "ReviewLease",
    "Role",
    "RunStatus",
    "Study",
    "TrainingLabel",
    "TrainingRun",
    "TrainingSet",
    "User",
    "Verdict",
    "WorkerHeartbeat",
]
