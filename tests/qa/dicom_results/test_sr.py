"""GET /api/frames/{id}/sr/: the frame's latest result as a TID 1500 measurement report."""

import io

import pydicom
import pytest

from tests.factories import HospitalFactory, MaskFactory, UserFactory
from tests.qa.dicom_results.stored import stored_cine, stored_phantom, with_result

pytestmark = pytest.mark.django_db

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"


def sr_of(client, frame_id):
    response = client.get(f"/api/frames/{frame_id}/sr/")
    assert response.status_code == 200, response.content
    return response, pydicom.dcmread(io.BytesIO(response.content))


def content_items(dataset):
    """Every content item of the SR tree, depth first."""
    for item in dataset.get("ContentSequence", []):
        yield item
        yield from content_items(item)


def named(sr, code_value: str):
    return [
        i
        for i in content_items(sr)
        if "ConceptNameCodeSequence" in i and i.ConceptNameCodeSequence[0].CodeValue == code_value
    ]


def test_the_report_holds_the_crl_the_ga_and_the_fusqa_verdict_of_the_latest_result(hospital, viewer):
    frame = stored_phantom(hospital)
    with_result(frame, label="poor", p_good=0.2)
    mask, assessment, measurement = with_result(frame, label="good", p_good=0.93)
    stored = pydicom.dcmread(frame.source_file.path, stop_before_pixels=True)

    response, sr = sr_of(viewer, frame.id)

    assert response["Content-Disposition"] == f'attachment; filename="frame-{frame.id}-sr.dcm"'
    assert sr.SOPClassUID == COMPREHENSIVE_SR
    assert sr.ContentTemplateSequence[0].TemplateIdentifier == "1500"
    assert (sr.StudyInstanceUID, sr.PatientID) == (stored.StudyInstanceUID, stored.PatientID)
    assert sr.SeriesInstanceUID != stored.SeriesInstanceUID
    [crl] = named(sr, "11957-8")
    assert crl.ConceptNameCodeSequence[0].CodingSchemeDesignator == "LN"
    value = crl.MeasuredValueSequence[0]
    assert (float(value.NumericValue), value.MeasurementUnitsCodeSequence[0].CodeValue) == (45.2, "mm")
    [line] = [i for i in crl.ContentSequence if i.ValueType == "SCOORD"]
    assert line.GraphicType == "POLYLINE"
    assert list(line.GraphicData) == [200.5, 100.5, 420.5, 180.5]  # (column, row) of the calliper ends
    assert line.ContentSequence[0].ReferencedSOPSequence[0].ReferencedSOPInstanceUID == stored.SOPInstanceUID
    [ga] = named(sr, "11914-9")  # CRL, Robinson 1975
    assert (
        float(ga.MeasuredValueSequence[0].NumericValue),
        ga.MeasuredValueSequence[0].MeasurementUnitsCodeSequence[0].CodeValue,
    ) == (77.9, "d")
    [p_good] = named(sr, "PGOOD")
    assert float(p_good.MeasuredValueSequence[0].NumericValue) == assessment.p_good == 0.93
    [verdict] = named(sr, "SEGQ")
    assert verdict.ConceptCodeSequence[0].CodeMeaning == "Good segmentation"
    assert sr.CodingSchemeIdentificationSequence[0].CodingSchemeDesignator == "99FUSQA"
    evidence = sr.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
    assert evidence.ReferencedSOPInstanceUID == stored.SOPInstanceUID


def test_a_ga_outside_its_formulas_range_is_qualified_as_out_of_range(hospital, viewer):
    frame = stored_phantom(hospital)
    _, _, measurement = with_result(frame)
    type(measurement).objects.filter(id=measurement.id).update(in_formula_range=False, crl_mm=120.0)

    _, sr = sr_of(viewer, frame.id)

    [ga] = named(sr, "11914-9")
    assert ga.NumericValueQualifierCodeSequence[0].CodeValue == "114009"


def test_an_unknown_verdict_is_coded_unknown(hospital, viewer):
    frame = stored_phantom(hospital)
    with_result(frame, label="unknown", p_good=0.5)

    _, sr = sr_of(viewer, frame.id)

    [verdict] = named(sr, "SEGQ")
    assert (verdict.ConceptCodeSequence[0].CodeValue, verdict.ConceptCodeSequence[0].CodingSchemeDesignator) == (
        "261665006",
        "SCT",
    )


def test_a_frame_of_a_cine_is_referenced_by_its_frame_number(hospital, viewer):
    frame = stored_cine(hospital)[2]
    with_result(frame)

    _, sr = sr_of(viewer, frame.id)

    [crl] = named(sr, "11957-8")
    [line] = [i for i in crl.ContentSequence if i.ValueType == "SCOORD"]
    assert line.ContentSequence[0].ReferencedSOPSequence[0].ReferencedFrameNumber == 3


@pytest.mark.parametrize(
    "given, words",
    [
        ("nothing", "has no result yet"),
        ("no fetus", "no CRL to report"),
    ],
)
def test_a_frame_with_nothing_to_report_answers_409(hospital, viewer, given, words):
    frame = stored_phantom(hospital)
    if given == "no fetus":
        with_result(frame, measured=False)

    response = viewer.get(f"/api/frames/{frame.id}/sr/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "nothing_to_report"
    assert words in response.json()["error"]["message"]


def test_a_png_frame_answers_409_and_another_hospitals_frame_404(hospital, viewer, client_for):
    png_frame = MaskFactory(frame__study__hospital=hospital).frame
    frame = stored_phantom(hospital)
    with_result(frame)
    outsider = client_for(UserFactory(role="expert", member_of=[HospitalFactory()]))

    assert viewer.get(f"/api/frames/{png_frame.id}/sr/").json()["error"]["code"] == "no_dicom_source"
    assert outsider.get(f"/api/frames/{frame.id}/sr/").status_code == 404
