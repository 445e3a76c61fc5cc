import dataclasses
import datetime as dt
import json

import pytest

from workers.ml.synth import get_profile, list_profiles, load_profile
from workers.ml.synth.profiles import Drift, MachineProfile


def test_there_are_two_machines_at_each_of_hospitals_a_and_b_and_a_far_transvaginal_profile():
    hospitals = {}
    for name in list_profiles():
        hospitals.setdefault(get_profile(name).hospital, []).append(name)
    assert len(hospitals["hospital_a"]) >= 2 and len(hospitals["hospital_b"]) >= 2
    far = get_profile("hospital_c/hera_w10_tv")
    assert far.approach == "transvaginal" and far.crl_range_mm == (15.0, 30.0)
    assert far.center_frequency_mhz > max(get_profile(n).center_frequency_mhz for n in hospitals["hospital_a"]) + 2


def test_an_unknown_approach_or_a_crl_range_outside_15_84_mm_is_refused():
    data = get_profile("hospital_c/hera_w10_tv").to_dict()
    with pytest.raises(ValueError, match="approach"):
        MachineProfile.from_dict(data | {"approach": "transrectal"})
    with pytest.raises(ValueError, match="crl_range_mm"):
        MachineProfile.from_dict(data | {"crl_range_mm": [10.0, 30.0]})


@pytest.mark.parametrize(
    "field",
    ["center_frequency_mhz", "dynamic_range_db", "gain_db", "sector_angle_deg", "image_cols", "anonymisation_box"],
)
def test_the_profiles_differ_in_imaging_and_geometry(field):
    values = {getattr(get_profile(n), field) for n in list_profiles()}
    assert len(values) == len(list_profiles())


def test_each_profile_names_its_manufacturer_and_model():
    for name in list_profiles():
        p = get_profile(name)
        assert p.manufacturer and p.model_name and p.institution_name


def test_a_profile_round_trips_through_json(tmp_path):
    p = get_profile("hospital_b/aplio_i700")
    path = tmp_path / "machine.json"
    path.write_text(json.dumps(p.to_dict()))
    assert load_profile(path) == p


def test_an_unknown_field_in_json_is_refused():
    data = get_profile("hospital_a/voluson_e8").to_dict() | {"colour_doppler": True}
    with pytest.raises(ValueError, match="unknown profile fields"):
        MachineProfile.from_dict(data)


def test_the_drifting_machine_switches_preset_the_day_after_its_start_date():
    p = get_profile("hospital_b/aplio_i700")
    assert p.drift.kind == "preset"

    before = p.on_date(dt.date.fromisoformat(p.drift.start_date))
    after = p.on_date(dt.date.fromisoformat(p.drift.start_date) + dt.timedelta(days=1))

    assert before == p and before.preset == "OB 1st Trim"
    assert after.drift_factor == 1.0
    assert after.preset == "Abd General"
    assert after.speckle_reduction == 1.5 and p.speckle_reduction == 0.3
    assert after.framing_scale == pytest.approx(0.3)
    assert (after.gain_db, after.lateral_fnumber, after.center_frequency_mhz) == (
        p.gain_db,
        p.lateral_fnumber,
        p.center_frequency_mhz,
    )


def test_a_fault_drift_lowers_gain_and_widens_the_beam_over_its_ramp():
    p = dataclasses.replace(
        get_profile("hospital_b/aplio_i700"),
        drift=Drift(start_date="2026-06-01", gain_db=-4.0, beam_scale=1.4, frequency_scale=1.0),
    )
    half = p.on_date(dt.date(2026, 7, 1))
    after = p.on_date(dt.date(2026, 12, 1))

    assert half.drift_factor == 0.5
    assert after.gain_db == p.gain_db - 4.0
    assert after.lateral_fwhm_mm == pytest.approx(p.lateral_fwhm_mm * 1.4)
    assert after.speckle_reduction == p.speckle_reduction and after.preset == p.preset


def test_an_unknown_drift_kind_is_refused():
    data = get_profile("hospital_b/aplio_i700").to_dict()
    data["drift"] = data["drift"] | {"kind": "earthquake"}
    with pytest.raises(ValueError, match="drift kind"):
        MachineProfile.from_dict(data)


def test_a_profile_without_drift_ignores_a_drift_factor():
    p = get_profile("hospital_a/voluson_e8")
    assert p.drift is None
    assert p.with_drift(1.0) is p
    assert dataclasses.is_dataclass(p)


def test_the_synth_package_imports_without_django():
    import subprocess
    import sys

    code = (
        "import sys, workers.ml.synth; "
        "assert not any(m.split('.')[0] in ('django', 'qa', 'fusqa_web') for m in sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
