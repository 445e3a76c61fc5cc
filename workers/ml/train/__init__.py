"""Training loops for the segmentation UNet and the FUSQA classifier: pure, seeded functions with
a progress callback and a time budget, saving checkpoints that ``load_model`` reads."""

from workers.ml.train.common import TrainResult
from workers.ml.train.fusqa import label_candidates, train_fusqa
from workers.ml.train.segmentation import train_segmentation

__all__ = ["TrainResult", "label_candidates", "train_fusqa", "train_segmentation"]
