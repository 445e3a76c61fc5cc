"""docs/models.md and the model cards show exactly what the JSON reports in workers/weights/ say."""

import importlib.util
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("render_model_docs", ROOT / "scripts" / "render_model_docs.py")
docs = importlib.util.module_from_spec(spec)
spec.loader.exec_module(docs)


def test_the_committed_documents_are_what_the_reports_render():
    diffs = docs.stale()

    assert not diffs, "run `make docs` and commit:\n" + "\n".join(diffs.values())


def test_a_changed_report_changes_the_rendered_table(tmp_path):
    reports = docs.load_reports()
    reports["fusqa_evaluation"] = {**reports["fusqa_evaluation"], "accuracy": 0.5}
    text = (ROOT / "docs" / "models.md").read_text()

    rendered = docs.render(text, reports)

    assert "| accuracy | 0.500 | ≥ 0.95 |" in rendered and "| accuracy | 0.500 |" not in text


def test_every_block_names_a_renderer_and_every_document_has_blocks():
    for path in docs.DOCUMENTS:
        names = [m["name"] for m in docs.BLOCK.finditer(path.read_text())]
        assert names, f"{path} has no rendered block"
        assert set(names) <= set(docs.RENDERERS), f"{path}: unknown blocks {set(names) - set(docs.RENDERERS)}"


def test_an_unknown_block_is_an_error_not_left_as_it_is():
    with pytest.raises(KeyError, match="no renderer for block 'nope'"):
        docs.render("<!-- rendered: nope -->\nold\n<!-- /rendered -->\n", {})


def test_the_ood_report_is_rendered_from_its_json():
    report = json.loads((ROOT / "workers" / "weights" / "fusqa_ood_report.json").read_text())
    text = (ROOT / "docs" / "models.md").read_text()

    assert f"threshold {report['threshold']:.3f}" in text
