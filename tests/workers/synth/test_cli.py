import csv
import filecmp

from workers.ml.synth.__main__ import main


def test_the_cli_lists_profiles(capsys):
    assert main(["--list-profiles"]) == 0
    assert "hospital_a/voluson_e8" in capsys.readouterr().out


def test_the_cli_writes_dicoms_images_masks_and_a_manifest_byte_identically(tmp_path):
    args = ["--profile", "hospital_a/voluson_e8", "--n", "2", "--seed", "40"]
    assert main([*args, "--out", str(tmp_path / "a")]) == 0
    assert main([*args, "--out", str(tmp_path / "b")]) == 0
    rows = list(csv.DictReader((tmp_path / "a" / "manifest.csv").open()))
    assert [r["seed"] for r in rows] == ["40", "41"]
    for r in rows:
        for key in ("dicom", "image", "mask"):
            assert filecmp.cmp(tmp_path / "a" / r[key], tmp_path / "b" / r[key], shallow=False)
        assert float(r["crl_mm"]) > 0 and float(r["spacing_row_mm"]) > 0
    assert filecmp.cmp(tmp_path / "a" / "manifest.csv", tmp_path / "b" / "manifest.csv", shallow=False)
