import dataclasses

import numpy as np

from workers.ml.synth import get_profile, imaging, list_profiles
from workers.ml.synth.scan_conversion import window_geometry


def test_unit_echogenicity_gives_unit_rms_envelope_at_every_zoom(monkeypatch):
    # Brightness must not depend on the zoom step or the RF sampling it needs.
    monkeypatch.setattr(imaging, "FLUID_ATTENUATION", 0.0)
    for name in list_profiles():
        p = dataclasses.replace(get_profile(name), attenuation_db_cm_mhz=0.0)
        for zoom in (0, 4, len(p.zoom_heights_mm) - 1):
            geom, beam = window_geometry(p, zoom), imaging.beam_model(p, zoom)
            echo = np.ones((geom.n_depth, geom.n_lines), np.float32)
            env, _ = imaging.envelope(echo, p, geom, beam, np.random.default_rng(zoom))
            assert 0.93 < float(np.sqrt(np.mean(env**2))) < 1.07, (name, zoom)


def test_fluid_gives_posterior_enhancement():
    p = get_profile("hospital_a/voluson_e8")
    geom, beam = window_geometry(p, 4), imaging.beam_model(p, 4)
    echo = np.full((geom.n_depth, geom.n_lines), 0.05, np.float32)
    half = geom.n_lines // 2
    echo[: geom.n_depth // 2, :half] = 1e-6  # fluid above the left half
    env, _ = imaging.envelope(echo, p, geom, beam, np.random.default_rng(0))
    deep = env[int(env.shape[0] * 0.8) :]
    assert deep[:, : half - 20].mean() > 1.5 * deep[:, half + 20 :].mean()
