"""The codes our DICOM results use (docs/dicom.md lists them), in one place.

Standard codes where DICOM has them: SNOMED CT for the fetus and the procedure, LOINC for the CRL and the
gestational-age equations of CID 12013 (the OB-GYN ultrasound report's, TID 5000), UCUM for units, DCM for
qualifiers. FUSQA's own verdict has no standard code: a private scheme "99FUSQA", declared in each SR.
"""

from highdicom.sr import CodedConcept

MANUFACTURER = "FUSQA"
SEG_SERIES_NUMBER = 901
SR_SERIES_NUMBER = 902

# SEG: Segmented Property Category and Type.
ANATOMICAL_STRUCTURE = CodedConcept("91723000", "SCT", "Anatomical Structure")
FETUS = CodedConcept("83418008", "SCT", "Fetus")

# SR: the procedure, and the measurements.
OBSTETRIC_ULTRASOUND = CodedConcept("268445003", "SCT", "Ultrasound scan - obstetric")
CROWN_RUMP_LENGTH = CodedConcept("11957-8", "LN", "Crown Rump Length")
# Gestational age by CRL, one code per equation (CID 12013); an equation DICOM has no code for is reported
# as the plain "Gestational Age" (CID 12019).
GESTATIONAL_AGE = CodedConcept("18185-9", "LN", "Gestational Age")
GA_EQUATIONS = {
    "robinson": CodedConcept("11914-9", "LN", "CRL, Robinson 1975"),
    "hadlock": CodedConcept("11910-7", "LN", "CRL, Hadlock 1992"),
}
MILLIMETRE = CodedConcept("mm", "UCUM", "millimeter")
DAY = CodedConcept("d", "UCUM", "day")
NO_UNITS = CodedConcept("1", "UCUM", "no units")
# CID 42 Numeric Value Qualifier: a GA extrapolated outside its equation's CRL range.
VALUE_OUT_OF_RANGE = CodedConcept("114009", "DCM", "Value out of range")

# FUSQA's verdict on the mask (private scheme, declared in the SR's Coding Scheme Identification).
FUSQA_SCHEME = "99FUSQA"
FUSQA_SCHEME_NAME = "FUSQA fetus segmentation quality assessment"
SEGMENTATION_QUALITY = CodedConcept("SEGQ", FUSQA_SCHEME, "Fetus segmentation quality")
P_GOOD = CodedConcept("PGOOD", FUSQA_SCHEME, "Probability of good segmentation quality")
QUALITY_VALUES = {
    "good": CodedConcept("GOOD", FUSQA_SCHEME, "Good segmentation"),
    "poor": CodedConcept("POOR", FUSQA_SCHEME, "Poor segmentation"),
    # Out of distribution or an implausible mask: the classifier's good/poor says nothing about it.
    "unknown": CodedConcept("261665006", "SCT", "Unknown"),
}
