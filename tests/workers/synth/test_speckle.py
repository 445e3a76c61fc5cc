from workers.ml.synth import get_profile
from workers.ml.synth.speckle import autocorrelation_fwhm_px, homogeneous_speckle_fwhm


def _grain(name: str) -> dict[str, float]:
    return homogeneous_speckle_fwhm(get_profile(name), zoom_index=4, seed=1)


def test_speckle_is_spatially_correlated_not_pixel_noise():
    g = _grain("hospital_a/voluson_e8")
    assert g["axial_px"] > 2.0 and g["lateral_px"] > 3.0


def test_grain_size_follows_each_machines_point_spread_function():
    for name in ("hospital_a/voluson_e8", "hospital_a/logiq_p9", "hospital_b/epiq_7"):
        p, g = get_profile(name), _grain(name)
        assert 0.6 * p.axial_fwhm_mm < g["axial_mm"] < 1.6 * p.axial_fwhm_mm
        assert 0.6 * p.lateral_fwhm_mm < g["lateral_mm"] < 1.4 * p.lateral_fwhm_mm


def test_a_lower_centre_frequency_gives_coarser_speckle():
    fine, coarse = _grain("hospital_b/epiq_7"), _grain("hospital_a/logiq_p9")  # 6 MHz vs 3.5 MHz
    assert coarse["axial_mm"] > 1.3 * fine["axial_mm"]
    assert coarse["lateral_mm"] > 1.3 * fine["lateral_mm"]


def test_drift_coarsens_the_speckle():
    p = get_profile("hospital_b/aplio_i700")
    healthy = homogeneous_speckle_fwhm(p, 4, seed=1)
    drifted = homogeneous_speckle_fwhm(p.with_drift(1.0), 4, seed=1)
    assert drifted["lateral_mm"] > 1.3 * healthy["lateral_mm"]


def test_white_noise_has_a_one_pixel_autocorrelation():
    import numpy as np

    ax, lat = autocorrelation_fwhm_px(np.random.default_rng(0).normal(size=(64, 64)))
    assert ax < 1.5 and lat < 1.5
