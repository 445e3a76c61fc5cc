import numpy as np
import pytest

from workers.ml.crl import crl_from_mask
from workers.ml.synth import CRL_CALLIPER_SD, CRL_RANGE_MM, generate_scan, robinson_ga_days
from workers.ml.synth.anatomy import TISSUE_FETUS


def _all(scans_by_profile):
    return [s for scans in scans_by_profile.values() for s in scans]


def test_crl_is_in_range_and_is_the_masks_maximum_feret_diameter(scans_by_profile):
    for scan in _all(scans_by_profile):
        assert CRL_RANGE_MM[0] <= scan.crl_mm <= CRL_RANGE_MM[1]
        measured = crl_from_mask(scan.mask, scan.spacing_mm).crl_mm
        assert measured == pytest.approx(scan.crl_mm, rel=0.02)


def test_calliper_points_are_crl_apart(scans_by_profile):
    for scan in _all(scans_by_profile):
        (r1, c1), (r2, c2) = scan.crl_points
        length = np.hypot((r2 - r1) * scan.spacing_mm[0], (c2 - c1) * scan.spacing_mm[1])
        assert length == pytest.approx(scan.crl_mm, rel=1e-3)


def test_the_fetus_lies_inside_the_sector_and_outside_the_anonymisation_box(scans_by_profile):
    for scan in _all(scans_by_profile):
        assert not (scan.mask & ~scan.sector_mask).any()
        assert (scan.image[scan.mask] > 0).mean() > 0.9


def test_labels_are_head_and_body_and_match_the_tissue_map(scans_by_profile):
    for scan in _all(scans_by_profile):
        assert set(np.unique(scan.labels)) == {0, 1, 2}
        assert ((scan.tissue == TISSUE_FETUS) == scan.mask).all()


def test_the_fetus_fills_a_zoomed_share_of_the_frame_from_15_to_84_mm():
    fractions = [generate_scan("hospital_a/logiq_p9", seed).fetus_fraction for seed in range(6)]
    fractions += [generate_scan("hospital_a/logiq_p9", 7, crl_mm=crl).fetus_fraction for crl in (15.0, 84.0)]
    assert 0.09 <= min(fractions) and max(fractions) <= 0.42
    assert np.median(fractions) > 0.12


def test_true_ga_follows_robinson_and_reported_ga_is_the_sonographers_calliper_crl(scans_by_profile):
    scans = _all(scans_by_profile)
    for scan in scans:
        assert scan.ga_days_true == pytest.approx(robinson_ga_days(scan.crl_mm), abs=0.01)
        low = robinson_ga_days(scan.crl_mm * (1 - 3 * CRL_CALLIPER_SD))
        high = robinson_ga_days(scan.crl_mm * (1 + 3 * CRL_CALLIPER_SD))
        assert low - 0.05 <= scan.ga_days_reported <= high + 0.05
    assert any(s.ga_days_reported != round(s.ga_days_true, 1) for s in scans)


def test_the_calliper_noise_is_about_a_day_of_ga():
    scans = [generate_scan("hospital_a/voluson_e8", seed) for seed in range(40)]
    errors = np.array([s.ga_days_reported - s.ga_days_true for s in scans])
    assert 0.4 < errors.std() < 1.2 and abs(np.median(errors)) < 0.5


def test_requested_crl_and_wall_contact_are_honoured():
    scan = generate_scan("hospital_a/voluson_e8", 3, crl_mm=20.0, touching_wall=True)
    assert scan.crl_mm == pytest.approx(20.0)
    assert scan.touching_wall


def test_the_same_seed_gives_the_same_frame_and_another_seed_does_not():
    a = generate_scan("hospital_b/epiq_7", 21)
    b = generate_scan("hospital_b/epiq_7", 21)
    c = generate_scan("hospital_b/epiq_7", 22)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.labels, b.labels)
    assert not np.array_equal(a.image, c.image)


def test_the_same_seed_draws_the_same_fetus_on_every_transabdominal_machine(scans_by_profile):
    crls = {scans[0].crl_mm for name, scans in scans_by_profile.items() if scans[0].machine.crl_range_mm is None}
    assert len(crls) == 1


def test_the_transvaginal_probe_sees_small_embryos_without_an_abdominal_wall():
    scans = [generate_scan("hospital_c/hera_w10_tv", seed) for seed in range(4)]
    assert all(15.0 <= s.crl_mm <= 30.0 for s in scans)
    assert len({s.crl_mm for s in scans}) == 4
    assert all(s.fetus_fraction > 0.05 for s in scans)


def test_fluid_is_dark_and_the_uterine_wall_bright(scans_by_profile):
    from workers.ml.synth.anatomy import TISSUE_FLUID, TISSUE_WALL

    for scan in _all(scans_by_profile):
        fluid = np.median(scan.image[(scan.tissue == TISSUE_FLUID)])
        wall = np.median(scan.image[(scan.tissue == TISSUE_WALL)])
        fetus = np.median(scan.image[scan.mask])
        assert fluid < 20 and fetus > fluid + 10 and wall > fluid + 30, (scan.profile, fluid, fetus, wall)


def test_a_fetus_touching_the_wall_borders_wall_tissue_and_a_floating_one_does_not():
    from scipy import ndimage

    from workers.ml.synth.anatomy import TISSUE_WALL

    for touching in (True, False):
        scan = generate_scan("hospital_a/voluson_e8", 50, touching_wall=touching)
        ring = ndimage.binary_dilation(scan.mask, iterations=3) & ~scan.mask
        share = (scan.tissue[ring] == TISSUE_WALL).mean()
        assert (share > 0.03) if touching else (share == 0.0)


def test_the_preset_drift_frames_the_same_fetus_smaller_and_smooths_the_speckle():
    seeds = range(6)
    healthy = [generate_scan("hospital_b/aplio_i700", s, drift=0.0) for s in seeds]
    drifted = [generate_scan("hospital_b/aplio_i700", s, drift=1.0) for s in seeds]

    assert [d.crl_mm for d in drifted] == [h.crl_mm for h in healthy]
    assert np.median([d.fetus_fraction for d in drifted]) < 0.6 * np.median([h.fetus_fraction for h in healthy])
    assert all(d.spacing_mm[0] >= h.spacing_mm[0] for d, h in zip(drifted, healthy, strict=True))
    # Heavier speckle reduction: less pixel-to-pixel variation inside the fetus.
    rough = [np.abs(np.diff(s.image.astype(float), axis=1))[s.mask[:, 1:]].mean() for s in (healthy[0], drifted[0])]
    assert rough[1] < 0.7 * rough[0]
