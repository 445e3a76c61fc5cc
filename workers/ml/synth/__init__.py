"""Synthetic hospitals: a physically grounded B-mode phantom of first-trimester CRL scans.

Pure numpy / scipy / pydicom; never imports Django or qa.

    from workers.ml import synth
    scan = synth.generate_scan("hospital_a/voluson_e8", seed=7)
    damaged = synth.degrade_mask(scan.labels, "leak_wall", 0.6, rng, spacing_mm=scan.spacing_mm, tissue=scan.tissue)
    dicom = synth.scan_to_dicom_bytes(scan)
"""

from .anatomy import CRL_RANGE_MM
from .degradations import DEGRADATION_KINDS, DegradedMask, degrade_mask, dice, mask_quality
from .dicom_writer import exported_screen, scan_to_dataset, scan_to_dicom_bytes
from .fetus import robinson_crl_mm, robinson_ga_days
from .output import write_scans
from .profiles import Drift, MachineProfile, get_profile, list_profiles, load_profile, register_profile
from .scan import CRL_CALLIPER_SD, SyntheticScan, generate_batch, generate_scan

__all__ = [
    "CRL_CALLIPER_SD",
    "CRL_RANGE_MM",
    "DEGRADATION_KINDS",
    "DegradedMask",
    "Drift",
    "MachineProfile",
    "SyntheticScan",
    "degrade_mask",
    "dice",
    "generate_batch",
    "generate_scan",
    "get_profile",
    "list_profiles",
    "load_profile",
    "mask_quality",
    "register_profile",
    "robinson_crl_mm",
    "robinson_ga_days",
    "exported_screen",
    "scan_to_dataset",
    "scan_to_dicom_bytes",
    "write_scans",
]
