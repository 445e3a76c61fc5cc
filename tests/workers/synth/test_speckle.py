import dataclasses

import numpy as np
from scipy.stats import spearmanr

from workers.ml.synth import get_profile, list_profiles
from workers.ml.synth.speckle import autocorrelation_fwhm_px, homogeneous_speckle_fwhm


def _grain(profile) -> dict[str, float]:
    return homogeneous_speckle_fwhm(profile, zoom_index=4, seed=1)


def test_speckle_is_spatially_correlated_not_pixel_noise():
    g = _grain(get_profile("hospital_a/voluson_e8"))
    assert g["axial_px"] > 2.0 and g["lateral_px"] > 3.0


def test_grain_size_follows_each_machines_psf_and_speckle_filter():
    measured, expected = [], []
    for name in list_profiles():
        p = get_profile(name)
        g = _grain(p)
        axial, lateral = p.speckle_grain_mm
        assert 0.7 * axial < g["axial_mm"] < 1.6 * axial, name
        assert 0.7 * lateral < g["lateral_mm"] < 1.6 * lateral, name
        measured.append(g["lateral_mm"])
        expected.append(lateral)
    assert spearmanr(measured, expected).statistic > 0.7


def test_the_centre_frequency_alone_changes_the_speckle():
    # Same machine, speckle filter off, only the transducer frequency differs (FINDINGS lesson 5).
    base = dataclasses.replace(get_profile("hospital_a/voluson_e8"), speckle_reduction=0.0)
    low = _grain(dataclasses.replace(base, center_frequency_mhz=3.0))
    high = _grain(dataclasses.replace(base, center_frequency_mhz=6.0))
    assert low["axial_mm"] > 1.5 * high["axial_mm"]
    assert low["lateral_mm"] > 1.5 * high["lateral_mm"]


def test_drift_coarsens_the_speckle():
    p = get_profile("hospital_b/aplio_i700")
    healthy = _grain(p)
    drifted = _grain(p.with_drift(1.0))
    assert drifted["lateral_mm"] > 1.3 * healthy["lateral_mm"]


def test_white_noise_has_a_one_pixel_autocorrelation():
    ax, lat = autocorrelation_fwhm_px(np.random.default_rng(0).normal(size=(64, 64)))
    assert ax < 1.5 and lat < 1.5
