"""Test metrics without Keras, where the training's last validation pass already computed them.

When a training validates on the test split at `evaluate`'s batch size (the lesson's setting),
its last epoch's `val_loss` and `val_accuracy` are `model.evaluate` on the test split with the
same weights, images and batch size: the same numbers (tests/test_training.py checks it). Taking
them from the history saves each `evaluate` job TensorFlow's start-up and a pass over the test
images (~6 s of a 7 s job on a laptop). The model file is still opened, as a check that it is
readable and to count its parameters.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from cnn_lesson.errors import unreadable_model
from cnn_lesson.tables import evaluate_line, metrics_record

log = logging.getLogger(__name__)


def applies(validation_split: float, validation_batch_size: int | None, batch_size: int) -> bool:
    """Whether the training's last validation was `evaluate` itself: the test split, same batch."""
    return validation_split == 0 and (validation_batch_size or batch_size) == batch_size


def parameter_count(model_path: Path) -> int:
    """The number of weights in a `.keras` file, as `model.count_params()`, read with h5py."""
    import h5py

    sizes = []
    try:
        with zipfile.ZipFile(model_path) as archive, \
                h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as weights:
            weights["layers"].visititems(
                lambda _, item: sizes.append(item.size) if isinstance(item, h5py.Dataset) else None)
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise unreadable_model(model_path, error) from error
    return int(sum(sizes))


def metrics(history: Path, model_path: Path, data: Path, batch_size: int) -> dict:
    """`evaluate`'s metrics from the last row of a training's history."""
    last = pd.read_csv(history, sep="\t").iloc[-1]
    with np.load(data, allow_pickle=False) as stored:
        test_images = len(stored["y_test"])
    found = metrics_record(last["val_loss"], last["val_accuracy"], test_images, batch_size,
                         parameter_count(model_path))
    log.info("test metrics from the last epoch's validation on the test split in %s", history)
    log.info("%s", evaluate_line(found))
    return found
