"""The phantoms carry no shared cue: each appearance property varies on its own, frame by frame."""

import dataclasses

import numpy as np
import pytest

from workers.ml.synth import anatomy, generate_scan
from workers.ml.synth.appearance import sample_appearance, skin_pattern
from workers.ml.synth.realism import EDGE_RANGE_PX, edge_profile


@pytest.fixture(scope="module")
def looks():
    return [sample_appearance(np.random.default_rng(i)) for i in range(400)]


def test_every_property_spans_its_range(looks):
    coverage = np.array([a.skin_coverage for a in looks])
    assert (
        (coverage == 0).mean() > 0.05 and (coverage == 1).mean() > 0.05 and ((coverage > 0.2) & (coverage < 0.8)).any()
    )
    offsets = np.array([a.outline_offset for a in looks])
    assert offsets.min() < -0.03 and offsets.max() > 0.03 and np.abs(offsets).max() <= 0.04
    assert 0.2 < np.mean([a.steep for a in looks]) < 0.5
    assert np.mean([a.shadows > 0 for a in looks]) > 0.4
    assert np.mean([a.reverberation > 0 for a in looks]) > 0.3


def test_the_properties_are_drawn_independently(looks):
    names = ["skin_coverage", "skin_gain", "edge_blur", "interior_gain", "texture_strength", "outline_offset"]
    values = np.array([[getattr(a, n) for n in names] for a in looks])
    corr = np.corrcoef(values, rowvar=False)
    assert np.abs(corr[~np.eye(len(names), dtype=bool)]).max() < 0.2


def test_a_skin_pattern_covers_the_share_of_the_outline_it_is_asked_to():
    angles = np.linspace(-np.pi, np.pi, 3600, endpoint=False)
    for coverage in (0.0, 0.3, 0.7, 1.0):
        share = skin_pattern(angles, coverage, np.random.default_rng(3)).mean()
        assert share == pytest.approx(coverage, abs=0.03)


def _with(monkeypatch, **changes):
    original = anatomy.sample_appearance
    monkeypatch.setattr(anatomy, "sample_appearance", lambda rng: dataclasses.replace(original(rng), **changes))


def _rim_contrast(scan) -> float:
    profile = edge_profile(scan.image, scan.mask, scan.sector_mask)
    return float(profile[EDGE_RANGE_PX - 2 : EDGE_RANGE_PX + 1].mean() - profile[: EDGE_RANGE_PX - 6].mean())


def test_a_full_bright_skin_line_makes_a_rim_and_none_leaves_no_rim(monkeypatch):
    common = dict(edge_blur=0.0, outline_offset=0.0, band_gain=0.0, patch_share=0.0, interior_gain=1.0)
    _with(monkeypatch, skin_coverage=1.0, skin_gain=1.5, skin_thickness_mm=0.8, **common)
    rim = [_rim_contrast(generate_scan("hospital_a/voluson_e8", s, touching_wall=False)) for s in (1, 2)]
    _with(monkeypatch, skin_coverage=0.0, **common)
    none = [_rim_contrast(generate_scan("hospital_a/voluson_e8", s, touching_wall=False)) for s in (1, 2)]
    assert min(rim) > max(none) + 10


def test_the_outline_offset_moves_the_echo_not_the_mask(monkeypatch):
    _with(monkeypatch, outline_offset=0.04, edge_blur=0.0)
    outside = generate_scan("hospital_a/voluson_e8", 5)
    _with(monkeypatch, outline_offset=-0.04, edge_blur=0.0)
    inside = generate_scan("hospital_a/voluson_e8", 5)
    assert np.array_equal(outside.labels, inside.labels)
    a = edge_profile(outside.image, outside.mask, outside.sector_mask)
    b = edge_profile(inside.image, inside.mask, inside.sector_mask)
    # An echo larger than the mask (negative offset) is brighter just outside the outline.
    assert b[EDGE_RANGE_PX + 1 : EDGE_RANGE_PX + 4].mean() > a[EDGE_RANGE_PX + 1 : EDGE_RANGE_PX + 4].mean() + 5


def test_some_fetuses_lie_at_steep_angles():
    from workers.ml.crl import crl_from_mask

    angles = []
    for seed in range(30):
        scan = generate_scan("hospital_a/logiq_p9", seed)
        m = crl_from_mask(scan.mask, scan.spacing_mm)
        angles.append(abs(np.degrees(np.arctan2(m.p2[0] - m.p1[0], m.p2[1] - m.p1[1]))) % 180)
    tilt = np.minimum(np.array(angles), 180 - np.array(angles))
    assert (tilt > 30).sum() >= 3 and (tilt < 20).sum() >= 10
