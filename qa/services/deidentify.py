"""Keyed hashes and DICOM de-identification (PS3.15 Basic Application Level Confidentiality Profile).

The profile's attribute list comes from the `dicomanonymizer` package (its dicomfields tables, one
per edition of the standard). Its own actions are looser than we want (dates become 00010101,
deletions do not reach into sequences), so only the lists are used and the actions are ours:
- UIDs (U) are replaced by keyed-hash UIDs, so references inside one file, and re-sends, stay
  consistent, and nobody without the secret can recover the originals;
- attributes the profile would zero (Z, X/Z, Z/D) are kept with an empty value, as the IOD needs them;
- everything else on the list is removed, at every depth of every sequence;
- all private tags are removed; PatientID becomes the patient key and PatientName is blanked.
Text burned into the pixels is the other half (the Clean Pixel Data Option): ingest blanks every
pixel outside the ultrasound regions. PatientIdentityRemoved says YES only when both halves ran.
"""

import hashlib
import hmac
from collections.abc import Iterable

from dicomanonymizer.dicom_anonymization_databases import dicomfields_2026c as profile
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag, Tag

PROFILE_EDITION = "dicomfields_2026c"
# LO: at most 64 characters a value. The options are also coded in DeidentificationMethodCodeSequence.
DEIDENTIFICATION_METHOD = "FUSQA: PS3.15 Basic Profile, no private tags, keyed-hash UIDs"
PIXELS_CLEANED = "Pixels outside the ultrasound regions blanked"
PIXELS_NOT_CLEANED = "Pixels NOT cleaned: the file has no ultrasound regions"
_UID_ROOT = "2.25."
_UID_MAX_CHARS = 64

_UID_TAGS = {Tag(tag) for tag in profile.U_TAGS}
_EMPTY_TAGS = {Tag(tag) for tag in (*profile.Z_TAGS, *profile.X_Z_TAGS, *profile.Z_D_TAGS)}
PROFILE_TAGS = {Tag(tag) for tag in profile.ALL_TAGS if len(tag) == 2}
# Repeating groups (curves 50xx, overlay data and comments 60xx): (group, element, group mask, element mask).
PROFILE_MASKED_TAGS = [tuple(tag) for tag in profile.ALL_TAGS if len(tag) == 4]
_PATIENT_ID = Tag(0x0010, 0x0020)
_PATIENT_NAME = Tag(0x0010, 0x0010)


class KeyedHasher:
    """HMAC-SHA256 under the deployment's secret, separated by hospital so two hospitals never collide."""

    def __init__(self, *, secret: str, hospital_id: int):
        self._key = secret.encode()
        self._hospital = str(hospital_id)

    def _digest(self, *parts: str) -> bytes:
        return hmac.new(self._key, "\x1f".join(parts).encode(), hashlib.sha256).digest()

    def patient_key(self, patient_id: str) -> str:
        """Hex HMAC of hospital id + PatientID; empty when the file names no patient."""
        if not patient_id:
            return ""
        return hmac.new(self._key, f"{self._hospital}:{patient_id}".encode(), hashlib.sha256).hexdigest()

    def study_key(self, study_instance_uid: str) -> str:
        return self._digest("study", self._hospital, study_instance_uid).hex()

    def uid(self, original: str) -> str:
        """A "2.25." UID from the HMAC's leading bytes, as many as fit in 64 characters."""
        digest = self._digest("uid", self._hospital, original.strip())
        # 24 bytes give at most 58 decimal digits: "2.25." + 58 = 63 characters.
        value = int.from_bytes(digest[:24], "big")
        uid = f"{_UID_ROOT}{value}"
        assert len(uid) <= _UID_MAX_CHARS
        return uid

    def content_uid(self, data: bytes) -> str:
        """The replacement UID of a file that has none (PNG/JPEG): from the sha256 of its bytes."""
        return self.uid("sha256:" + hashlib.sha256(data).hexdigest())


def deidentify_dataset(dataset: Dataset, *, hasher: KeyedHasher, patient_key: str, pixels_cleaned: bool) -> None:
    """De-identify the header in place. `pixels_cleaned`: whether the text burned into the pixels is
    removed too (blanked outside the ultrasound regions); only then is the patient's identity said
    to be removed, and the method says which half did not run."""
    dataset.remove_private_tags()
    _clean(dataset, hasher)
    dataset.PatientID = patient_key
    dataset.PatientName = ""
    dataset.PatientIdentityRemoved = "YES" if pixels_cleaned else "NO"
    dataset.DeidentificationMethod = [DEIDENTIFICATION_METHOD, PIXELS_CLEANED if pixels_cleaned else PIXELS_NOT_CLEANED]
    options = [("113100", "Basic Application Confidentiality Profile")]
    if pixels_cleaned:
        options.append(("113101", "Clean Pixel Data Option"))
    dataset.DeidentificationMethodCodeSequence = Sequence([_code(value, meaning) for value, meaning in options])

    meta = getattr(dataset, "file_meta", None) or FileMetaDataset()
    _clean(meta, hasher)
    if "SOPInstanceUID" in dataset:
        meta.MediaStorageSOPInstanceUID = dataset.SOPInstanceUID
    dataset.file_meta = meta


def _code(value: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue = value
    code.CodingSchemeDesignator = "DCM"
    code.CodeMeaning = meaning
    return code


def _clean(dataset: Dataset, hasher: KeyedHasher) -> None:
    for element in list(dataset):
        tag = element.tag
        if tag in (_PATIENT_ID, _PATIENT_NAME):
            element.value = ""
        elif tag in _UID_TAGS and element.VR == "UI":
            element.value = _replaced_uids(element.value, hasher)
        elif tag in _EMPTY_TAGS:
            element.value = Sequence() if element.VR == "SQ" else None
        elif tag in PROFILE_TAGS or is_masked_profile_tag(tag):
            del dataset[tag]
        elif element.VR == "SQ":
            for item in element.value:
                _clean(item, hasher)


def _replaced_uids(value, hasher: KeyedHasher):
    if value is None or value == "":
        return value
    if isinstance(value, str):
        return hasher.uid(value)
    return [hasher.uid(str(uid)) for uid in value]


def is_masked_profile_tag(tag: BaseTag) -> bool:
    return any(
        (tag.group & group_mask) == (group & group_mask) and (tag.element & element_mask) == (element & element_mask)
        for group, element, group_mask, element_mask in PROFILE_MASKED_TAGS
    )


def profile_tags() -> Iterable[BaseTag]:
    """The profile's single (non-repeating) attributes, for checks that walk a stored file."""
    return sorted(PROFILE_TAGS)
