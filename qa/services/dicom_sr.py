"""A frame's result as a DICOM Comprehensive SR, TID 1500 Measurement Report (highdicom): one measurement group
(TID 1501) about the fetus on the stored de-identified image, holding the CRL (with its calliper line as a
SCOORD on the image), the gestational age by the CRL equation used, FUSQA's p(good) and its verdict as a
qualitative evaluation. Codes in qa.services.dicom_codes.

Pure: datasets and numbers in, a dataset out; qa.services.dicom_results gathers them from the stored rows.
"""

from dataclasses import dataclass

import highdicom as hd
import numpy as np
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes

from qa.services import dicom_codes as code


@dataclass(frozen=True)
class ReportedResult:
    """What the SR says. Calliper points are (row, column) pixel indices of the frame, as stored."""

    crl_mm: float
    p1: tuple[float, float]
    p2: tuple[float, float]
    ga_days: float | None
    ga_formula: str
    ga_in_range: bool
    quality_label: str  # good, poor or unknown
    p_good: float
    segmentation_version: str
    fusqa_version: str
    tracking_label: str


@dataclass(frozen=True)
class SrIdentity:
    series_instance_uid: str
    sop_instance_uid: str
    instance_number: int
    tracking_uid: str
    device_uid: str


def measurement_report_dataset(
    *, source: Dataset, frame_number: int, result: ReportedResult, identity: SrIdentity
) -> hd.sr.ComprehensiveSR:
    frames = [frame_number] if int(source.get("NumberOfFrames") or 1) > 1 else None
    sop_class, sop_instance = source.SOPClassUID, source.SOPInstanceUID
    group = hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(uid=identity.tracking_uid, identifier=result.tracking_label),
        finding_type=code.FETUS,
        algorithm_id=hd.sr.AlgorithmIdentification(name="FUSQA", version=_versions(result)),
        measurements=[
            _crl(result, hd.sr.SourceImageForRegion(sop_class, sop_instance, referenced_frame_numbers=frames)),
            *_gestational_age(result),
            hd.sr.Measurement(name=code.P_GOOD, value=round(float(result.p_good), 6), unit=code.NO_UNITS),
        ],
        qualitative_evaluations=[
            hd.sr.QualitativeEvaluation(name=code.SEGMENTATION_QUALITY, value=code.QUALITY_VALUES[result.quality_label])
        ],
        source_images=[hd.sr.SourceImageForMeasurementGroup(sop_class, sop_instance, referenced_frame_numbers=frames)],
    )
    device = hd.sr.ObserverContext(
        observer_type=codes.DCM.Device,
        observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
            uid=identity.device_uid, name="FUSQA", manufacturer_name=code.MANUFACTURER, model_name="FUSQA"
        ),
    )
    report = hd.sr.MeasurementReport(
        observation_context=hd.sr.ObservationContext(
            observer_device_context=device,
            subject_context=hd.sr.SubjectContext(
                subject_class=codes.DCM.Fetus, subject_class_specific_context=hd.sr.SubjectContextFetus("1")
            ),
        ),
        procedure_reported=code.OBSTETRIC_ULTRASOUND,
        imaging_measurements=[group],
    )
    sr = hd.sr.ComprehensiveSR(
        evidence=[source],
        content=report,
        series_instance_uid=identity.series_instance_uid,
        series_number=code.SR_SERIES_NUMBER,
        sop_instance_uid=identity.sop_instance_uid,
        instance_number=identity.instance_number,
        manufacturer=code.MANUFACTURER,
        is_complete=True,
    )
    sr.SeriesDescription = "FUSQA CRL, gestational age and segmentation quality"
    scheme = Dataset()
    scheme.CodingSchemeDesignator = code.FUSQA_SCHEME
    scheme.CodingSchemeName = code.FUSQA_SCHEME_NAME
    scheme.CodingSchemeResponsibleOrganization = "FUSQA"
    sr.CodingSchemeIdentificationSequence = [scheme]
    return sr


def _versions(result: ReportedResult) -> str:
    return f"segmentation {result.segmentation_version}, fusqa {result.fusqa_version}"[:64]


def _crl(result: ReportedResult, image: hd.sr.SourceImageForRegion) -> hd.sr.Measurement:
    # SCOORD: (column, row) with (0, 0) at the top left corner of the image; a pixel's centre is at +0.5.
    line = np.array([[result.p1[1] + 0.5, result.p1[0] + 0.5], [result.p2[1] + 0.5, result.p2[0] + 0.5]])
    return hd.sr.Measurement(
        name=code.CROWN_RUMP_LENGTH,
        value=round(float(result.crl_mm), 3),
        unit=code.MILLIMETRE,
        referenced_coordinates=[
            hd.sr.CoordinatesForMeasurement(
                graphic_type=hd.sr.GraphicTypeValues.POLYLINE, graphic_data=line, source_image=image
            )
        ],
    )


def _gestational_age(result: ReportedResult) -> list[hd.sr.Measurement]:
    if result.ga_days is None:
        return []
    return [
        hd.sr.Measurement(
            name=code.GA_EQUATIONS.get(result.ga_formula, code.GESTATIONAL_AGE),
            value=round(float(result.ga_days), 2),
            unit=code.DAY,
            # Extrapolated outside the equation's CRL range: said in the report, not only in the app.
            qualifier=None if result.ga_in_range else code.VALUE_OUT_OF_RANGE,
        )
    ]
