"""David Clunie's dciodvfy (Debian package dicom3tools) checks what we produce against the IODs: no errors.
Its warnings are listed in docs/dicom.md."""

import shutil
import subprocess

import pytest

from qa.services.dicom_results import frame_report, mask_segmentation
from tests.factories import HospitalFactory, UserFactory
from tests.qa.dicom_results.stored import an_expert_correction, stored_cine, stored_phantom, with_result
from tests.services import skip_or_fail

pytestmark = pytest.mark.django_db


def dciodvfy(data: bytes, tmp_path) -> str:
    tool = shutil.which("dciodvfy")
    if tool is None:
        skip_or_fail("dciodvfy is not installed: apt-get install dicom3tools")
    path = tmp_path / "result.dcm"
    path.write_bytes(data)
    run = subprocess.run([tool, "-new", str(path)], capture_output=True, text=True, timeout=60)
    return run.stdout + run.stderr


def errors(report: str) -> list[str]:
    return [line for line in report.splitlines() if line.startswith("Error")]


@pytest.fixture
def frame():
    return stored_phantom(HospitalFactory())


def test_the_seg_of_a_model_mask_has_no_errors(frame, tmp_path):
    mask, _, _ = with_result(frame)

    report = dciodvfy(mask_segmentation(mask=mask).data, tmp_path)

    print(report)  # pytest -s shows it: docs/dicom.md quotes it
    assert "Segmentation" in report.splitlines()
    assert errors(report) == []


def test_the_seg_of_an_expert_correction_has_no_errors(frame, tmp_path):
    mask, _, _ = with_result(frame)
    correction = an_expert_correction(mask, UserFactory(role="expert", member_of=[frame.hospital]))

    assert errors(dciodvfy(mask_segmentation(mask=correction).data, tmp_path)) == []


def test_the_sr_has_no_errors(frame, tmp_path):
    with_result(frame)

    report = dciodvfy(frame_report(frame=frame).data, tmp_path)

    print(report)
    assert "ComprehensiveSR" in report.splitlines()
    assert errors(report) == []


def test_the_seg_and_sr_of_a_cine_frame_have_no_errors(tmp_path):
    frame = stored_cine(HospitalFactory())[4]
    mask, _, _ = with_result(frame)

    assert errors(dciodvfy(mask_segmentation(mask=mask).data, tmp_path)) == []
    assert errors(dciodvfy(frame_report(frame=frame).data, tmp_path)) == []
