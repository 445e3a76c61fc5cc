import numpy as np
import pytest

from workers.ml.synth import DEGRADATION_KINDS, degrade_mask, generate_scan


@pytest.fixture(scope="module")
def scans():
    return [generate_scan("hospital_a/voluson_e8", seed, touching_wall=seed % 2 == 0) for seed in range(31, 39)]


def _run(scans, kind, severity):
    out = []
    for i, s in enumerate(scans):
        other = scans[(i + 1) % len(scans)].labels
        d = degrade_mask(
            s.labels, kind, severity, np.random.default_rng(i), spacing_mm=s.spacing_mm, tissue=s.tissue, other=other
        )
        out.append(d)
    return out


# kind: (severity, Dice band, |CRL error %| band) — medians over the scans
BANDS = {
    "erode": [(0.15, (0.9, 0.97), (0, 6)), (1.0, (0.3, 0.6), (10, 75))],
    "dilate": [(0.15, (0.9, 0.97), (0, 6)), (1.0, (0.6, 0.8), (10, 30))],
    "jitter": [(0.15, (0.92, 0.99), (0, 4)), (1.0, (0.7, 0.9), (2, 20))],
    "cut_head": [(0.2, (0.9, 0.99), (6, 14)), (1.0, (0.6, 0.85), (25, 40))],
    "cut_rump": [(0.2, (0.9, 0.99), (6, 14)), (1.0, (0.6, 0.88), (25, 40))],
    "leak_sac": [(0.2, (0.97, 1.0), (2, 10)), (1.0, (0.92, 0.995), (6, 35))],
    "leak_wall": [(0.2, (0.97, 1.0), (2, 10)), (1.0, (0.92, 0.995), (6, 35))],
    "blob": [(0.2, (0.95, 1.0), (0, 1)), (1.0, (0.65, 0.9), (0, 1))],
    "shift": [(0.2, (0.75, 0.95), (0, 1)), (1.0, (0.2, 0.65), (0, 3))],
    "holes": [(0.2, (0.95, 1.0), (0, 1)), (1.0, (0.6, 0.85), (0, 50))],
    "mirror": [(1.0, (0.3, 0.85), (0, 2))],
    "swap": [(1.0, (0.0, 0.8), (0, 100))],
}


@pytest.mark.parametrize("kind", sorted(BANDS))
def test_each_degradation_lands_in_its_band(scans, kind):
    for severity, (d_lo, d_hi), (e_lo, e_hi) in BANDS[kind]:
        results = _run(scans, kind, severity)
        d = np.median([r.dice for r in results])
        e = np.median([abs(r.crl_error_pct) for r in results])
        assert d_lo <= d <= d_hi, (kind, severity, d)
        assert e_lo <= e <= e_hi, (kind, severity, e)


def test_more_severe_damage_lowers_dice(scans):
    for kind in ("erode", "dilate", "jitter", "shift", "holes", "cut_rump"):
        mild = np.mean([r.dice for r in _run(scans, kind, 0.2)])
        severe = np.mean([r.dice for r in _run(scans, kind, 1.0)])
        assert severe < mild, kind


def test_a_leak_at_the_rump_can_keep_dice_high_and_move_crl(scans):
    results = _run(scans, "leak_sac", 1.0) + _run(scans, "leak_wall", 1.0)
    assert any(r.dice > 0.93 and r.crl_error_pct > 5 for r in results)


def test_a_merge_fuses_head_and_body_labels(scans):
    results = _run(scans, "merge", 1.0)
    assert all(r.dice > 0.95 for r in results)
    assert all(r.label_dice < 0.7 for r in results)


def test_errors_are_reported_in_mm_percent_and_days(scans):
    r = _run(scans, "cut_rump", 0.6)[0]
    assert r.crl_error_mm < 0 and r.crl_error_pct < 0 and r.ga_error_days < 0
    assert r.crl_mm == pytest.approx(scans[0].crl_mm + r.crl_error_mm, rel=0.03)


def test_every_kind_is_covered_and_unknown_kinds_are_refused(scans):
    assert set(BANDS) | {"merge"} == set(DEGRADATION_KINDS)
    with pytest.raises(ValueError):
        degrade_mask(scans[0].labels, "scribble", 0.5, np.random.default_rng(0), spacing_mm=0.1)
