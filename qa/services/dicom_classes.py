"""The SOP classes FUSQA stores (ultrasound, and secondary captures of it) and the transfer syntaxes an
upload decodes: one list for the DICOM receiver's presentation contexts and for STOW-RS."""

from pydicom import uid
from pynetdicom.sop_class import (
    MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
    MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
    SecondaryCaptureImageStorage,
    UltrasoundImageStorage,
    UltrasoundMultiFrameImageStorage,
)

STORAGE_CLASSES = [
    UltrasoundImageStorage,
    UltrasoundMultiFrameImageStorage,
    "1.2.840.10008.5.1.4.1.1.6",  # Ultrasound Image Storage (retired)
    "1.2.840.10008.5.1.4.1.1.3",  # Ultrasound Multi-frame Image Storage (retired)
    SecondaryCaptureImageStorage,
    MultiFrameGrayscaleByteSecondaryCaptureImageStorage,
    MultiFrameGrayscaleWordSecondaryCaptureImageStorage,
    MultiFrameTrueColorSecondaryCaptureImageStorage,
]
# The transfer syntaxes an upload decodes (qa.services.dicom_decode).
TRANSFER_SYNTAXES = [
    uid.ImplicitVRLittleEndian,
    uid.ExplicitVRLittleEndian,
    uid.ExplicitVRBigEndian,
    uid.DeflatedExplicitVRLittleEndian,
    uid.JPEGBaseline8Bit,
    uid.JPEGExtended12Bit,
    uid.JPEGLosslessSV1,
    uid.JPEG2000Lossless,
    uid.JPEG2000,
    uid.JPEGLSLossless,
    uid.JPEGLSNearLossless,
    uid.RLELossless,
]


def is_stored_sop_class(sop_class_uid: str) -> bool:
    return str(sop_class_uid).strip() in {str(sop_class) for sop_class in STORAGE_CLASSES}
