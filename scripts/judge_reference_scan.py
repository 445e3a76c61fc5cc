"""Issue #10 item 7: the shipped models' answer on the one real first-trimester scan, reported once.

The scan (../shared/reference/first-trimester-crl, MIT) is for judging, never for training or tuning: this
script only reads it. For the expert's mask, the published TransUNet mask and our segmentation's mask it
prints p(good), the verdict, the reasons and the OOD score (no pixel spacing survives, so the size checks
are skipped), and our mask's Dice with the expert's.

    .venv/bin/python scripts/judge_reference_scan.py [--reference DIR] [--report workers/weights/reference_scan.json]

With --report the answers are also written as JSON, with the weights' sha256: docs/models.md and the FUSQA
model card render them from there (scripts/render_model_docs.py).
"""

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from workers.ml import fusqa, segmentation
from workers.ml.fusqa.labels import dice

DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "reference" / "first-trimester-crl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DEFAULT)
    parser.add_argument("--report", type=Path, default=None, help="also write the answers here as JSON")
    args = parser.parse_args()
    image = np.asarray(Image.open(args.reference / "image.png").convert("L"))
    expert = np.asarray(Image.open(args.reference / "mask_expert.png")) > 0
    published = np.asarray(Image.open(args.reference / "mask_model.png")) > 0
    ours = segmentation.load_model().predict([image])[0] > 0
    masks = {"expert": expert, "published TransUNet": published, "our segmentation": ours}
    answers = fusqa.load_model().assess([image] * len(masks), list(masks.values()))
    report = {
        name: {**answer.as_dict(), "dice_with_expert": round(dice(mask, expert), 3)}
        for (name, mask), answer in zip(masks.items(), answers, strict=True)
    }
    print(json.dumps(report, indent=2, default=float))
    if args.report is not None:
        weights = {
            name: hashlib.sha256(Path(path).read_bytes()).hexdigest()
            for name, path in (("fusqa", fusqa.DEFAULT_WEIGHTS), ("segmentation", segmentation.DEFAULT_WEIGHTS))
        }
        args.report.write_text(json.dumps({"masks": report, "weights_sha256": weights}, indent=2, default=float) + "\n")


if __name__ == "__main__":
    main()
