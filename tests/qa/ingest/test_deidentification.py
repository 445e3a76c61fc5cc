"""No attribute of the PS3.15 Basic Application Level Confidentiality Profile survives ingest."""

import hmac
from datetime import date, timedelta
from hashlib import sha256

import pydicom
from django.conf import settings
from pydicom.datadict import dictionary_VR
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import Tag

from qa.models import Frame, Study
from qa.services.deidentify import DEIDENTIFICATION_METHOD, PIXELS_CLEANED, PROFILE_TAGS, is_masked_profile_tag
from tests.qa.ingest.dicoms import dicom_bytes, dicom_dataset, ultrasound_region

TEXT_VRS = {"AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT", "UR"}
ORIGINAL_SOP_UID = "1.2.826.0.1.3680043.99999.1.424242"
ORIGINAL_STUDY_UID = "1.2.826.0.1.3680043.99999.2.515151"
PATIENT_ID = "PID-INVENTED-0042"


def invented_values():
    """A distinct value for every profile attribute with a text, date, time or UID VR."""
    values = {}
    day = date(1901, 1, 1)
    for n, tag in enumerate(sorted(PROFILE_TAGS)):
        try:
            vr = dictionary_VR(tag)
        except KeyError:
            continue
        if tag.group == 0x0000:  # command set: never in a stored file
            continue
        if vr == "UR":
            values[tag] = (vr, f"http://phi.invented/{n:04d}")
        elif vr in TEXT_VRS:
            values[tag] = (vr, f"PHIX{n:04d}" if vr in ("CS", "AE") else f"InventedPHI {n:04d}")
        elif vr == "DA":
            values[tag] = (vr, (day + timedelta(days=n)).strftime("%Y%m%d"))
        elif vr == "TM":
            values[tag] = (vr, f"{n // 60 % 24:02d}{n % 60:02d}17.{n:04d}")
        elif vr == "DT":
            values[tag] = (vr, (day + timedelta(days=n)).strftime("%Y%m%d") + "101517")
        elif vr == "UI":
            values[tag] = (vr, f"1.2.826.0.1.3680043.99999.3.{n}")
    return values


def phi_dataset(values) -> Dataset:
    ds = dicom_dataset(regions=[ultrasound_region(delta_cm=(0.03, 0.03))], patient_id=PATIENT_ID)
    for tag, (vr, value) in values.items():
        if tag.group == 0x0002:
            continue
        ds.add_new(tag, vr, value)
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = ORIGINAL_SOP_UID
    ds.StudyInstanceUID = ORIGINAL_STUDY_UID
    ds.PatientID = PATIENT_ID
    ds.PatientName = "Doe^Janet^Inventedname"
    ds.file_meta.SourceApplicationEntityTitle = "PHIAETITLE"

    # PHI nested two sequences deep, in profile attributes and in private tags.
    inner = Dataset()
    inner.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.99999.4.1"
    inner.PatientName = "Nested^Inventedperson"
    inner.private_block(0x0011, "INVENTED CORP", create=True).add_new(0x01, "LO", "Secret-Nested-Private")
    outer = Dataset()
    outer.ReferencedSOPClassUID = "1.2.840.10008.3.1.2.3.1"
    outer.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.99999.4.2"
    outer.AccessionNumber = "ACC-INVENTED-77"
    outer.ReferencedImageSequence = Sequence([inner])
    ds.RequestAttributesSequence = Sequence([outer])
    ds.private_block(0x0009, "INVENTED CORP", create=True).add_new(0x10, "LO", "Secret-Top-Private")
    # Curve data and overlay comments: repeating groups on the profile's list.
    ds.add_new(Tag(0x5000, 0x2500), "LO", "Invented curve label")
    ds.add_new(Tag(0x6000, 0x4000), "LT", "Invented overlay comment")
    return ds


def walk_profile_elements(dataset: Dataset):
    for element in dataset.iterall():
        if element.tag in PROFILE_TAGS or is_masked_profile_tag(element.tag):
            yield element


def test_no_profile_attribute_value_survives_in_the_stored_file(upload):
    values = invented_values()
    ds = phi_dataset(values)
    original_bytes = dicom_bytes(ds)
    assert len(values) > 300

    response = upload(original_bytes)

    assert response.status_code == 201, response.content
    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    stored_bytes = frame.source_file.read()
    stored = pydicom.dcmread(frame.source_file.path)

    # Every value the sender put in a profile attribute, at any depth (and in the file meta).
    invented = {
        str(element.value)
        for element in [*walk_profile_elements(ds), *walk_profile_elements(ds.file_meta)]
        if element.VR != "SQ" and element.value
    }
    assert {PATIENT_ID, ORIGINAL_SOP_UID, ORIGINAL_STUDY_UID, "ACC-INVENTED-77", "Nested^Inventedperson"} <= invented
    assert len(invented) > 300
    for element in [*walk_profile_elements(stored), *walk_profile_elements(stored.file_meta)]:
        shown = [str(v) for v in element.value] if element.VM > 1 else [str(element.value or "")]
        if element.tag == Tag(0x0010, 0x0020):
            assert shown == [Study.objects.get().patient_key]
        elif element.VR == "UI":
            assert all(v == "" or v.startswith("2.25.") for v in shown), element
        elif element.VR == "SQ":
            assert len(element.value) == 0 or element.tag == Tag(0x0012, 0x0064), element
        else:
            assert set(shown) <= {"", "YES"}, element
    assert not [e for e in stored.iterall() if e.tag.is_private]
    for text in sorted(invented) + ["Secret-Top-Private", "Secret-Nested-Private", "INVENTED CORP", "Inventedname"]:
        assert text.encode() not in stored_bytes, text
        assert text.encode() in original_bytes, text


def test_identifiers_are_replaced_by_keyed_hashes_and_the_image_is_kept(upload):
    ds = phi_dataset(invented_values())
    pixels = ds.PixelData

    response = upload(dicom_bytes(ds))

    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    stored = pydicom.dcmread(frame.source_file.path)
    expected_key = hmac.new(
        settings.FUSQA_PATIENT_KEY_SECRET.encode(), f"{frame.hospital_id}:{PATIENT_ID}".encode(), sha256
    ).hexdigest()
    assert frame.study.patient_key == expected_key
    assert stored.PatientID == expected_key
    assert stored.PatientName == ""
    assert stored.PatientIdentityRemoved == "YES"
    # Two values: the header profile, then what was done to the pixels (blanked outside the regions).
    assert list(stored.DeidentificationMethod) == [DEIDENTIFICATION_METHOD, PIXELS_CLEANED]
    assert [code.CodeValue for code in stored.DeidentificationMethodCodeSequence] == ["113100", "113101"]
    assert stored.SOPInstanceUID == stored.file_meta.MediaStorageSOPInstanceUID == frame.sop_instance_uid
    assert frame.sop_instance_uid.startswith("2.25.") and len(frame.sop_instance_uid) <= 64
    assert stored.StudyInstanceUID.startswith("2.25.") and stored.StudyInstanceUID != ORIGINAL_STUDY_UID
    assert stored.PixelData == pixels
    assert stored.SequenceOfUltrasoundRegions[0].PhysicalDeltaX == 0.03


def test_the_pydicom_examples_lose_their_names_and_ids(upload):
    from pathlib import Path

    from pydicom.data import get_testdata_file

    path = Path(get_testdata_file("examples_ybr_color.dcm"))
    original = pydicom.dcmread(path)

    response = upload(path.read_bytes())

    frame = Frame.objects.get(id=response.json()["frames"][0]["id"])
    # The header only: the stored pixels are uncompressed now, and a short ID such as "204" turns up
    # in 7 MB of pixel values by chance.
    with open(frame.source_file.path, "rb") as handle:
        pydicom.dcmread(handle, stop_before_pixels=True)
        header_length = handle.tell()
        handle.seek(0)
        header_bytes = handle.read(header_length)
    assert len(header_bytes) > 1000
    for value in (str(original.PatientName), original.SOPInstanceUID, original.StudyInstanceUID):
        assert value and value.encode() not in header_bytes
    # Its PatientID, "204", is too short to look for in bytes: the keyed UIDs' digits hold it by chance.
    stored = pydicom.dcmread(frame.source_file.path, stop_before_pixels=True)
    assert str(original.PatientID) == "204"
    assert all(str(element.value) != "204" for element in stored.iterall())
    assert stored.PatientID == frame.study.patient_key
