"""The weights shipped in workers/weights load and give sane answers on a phantom (fast: one frame)."""

import numpy as np
import pytest

from workers.ml import fusqa, segmentation
from workers.ml.fusqa.labels import dice
from workers.ml.synth import degrade_mask, generate_scan


@pytest.fixture(scope="module")
def scan():
    return generate_scan("hospital_a/voluson_e8", seed=424_242)  # a seed no training split uses


def test_the_shipped_segmentation_finds_the_fetus_on_a_hospital_a_scan(scan):
    mask = segmentation.load_model(device="cpu").predict(scan.image)[0]

    assert mask.shape == scan.image.shape and mask.dtype == bool
    assert dice(mask, scan.mask) > 0.8


def test_the_shipped_classifier_prefers_the_true_mask_to_a_badly_damaged_one(scan):
    rng = np.random.default_rng(0)
    shifted = degrade_mask(scan.labels, "shift", 1.0, rng, spacing_mm=scan.spacing_mm).mask
    cut = degrade_mask(scan.labels, "cut_rump", 1.0, rng, spacing_mm=scan.spacing_mm).mask

    p = fusqa.load_model(device="cpu").predict([scan.image] * 3, [scan.mask, shifted, cut])

    assert p.shape == (3,) and np.all((0 <= p) & (p <= 1))
    assert p[0] > 0.5
    assert p[0] > p[1] + 0.3 and p[0] > p[2] + 0.3


def test_the_products_good_threshold_is_the_shipped_classifiers_operating_threshold():
    from django.conf import settings

    from workers.ml import fusqa

    shipped = fusqa.load_model()
    assert shipped.threshold == settings.FUSQA_GOOD_THRESHOLD  # retrained weights: update the setting's default
    assert 0.5 <= shipped.threshold < 0.95
