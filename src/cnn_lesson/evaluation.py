"""Test loss and accuracy of a trained model, as the lesson's `model.evaluate` prints them, and
the test metrics `evaluate` writes (metrics.json).

Two ways to the same numbers. When a training validated on the test split at `evaluate`'s batch
size (the lesson's setting), its last epoch's `val_loss` and `val_accuracy` are `model.evaluate`
on the test split with the same weights, images and batch size (tests/unit/test_training.py checks it
bit for bit): they are read from the history, without Keras, which saves each job TensorFlow's
start-up and a pass over the test images. Otherwise the model is loaded and run. Keras is
imported only for that, so that the workflow can ask `history_holds_test_metrics` when planning.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from cnn_lesson.errors import unreadable_model

log = logging.getLogger(__name__)


def history_holds_test_metrics(validation_split: float, validation_batch_size: int | None,
                               batch_size: int) -> bool:
    """Whether a training's last validation was `evaluate` itself: the test split, same batch."""
    return validation_split == 0 and (validation_batch_size or batch_size) == batch_size


def metrics_json(loss: float, accuracy: float, test_images: int, batch_size: int,
                 parameters: int) -> dict:
    """What `evaluate` writes to metrics.json, with the step count of the lesson's output line."""
    return {"test_loss": float(loss), "test_accuracy": float(accuracy),
            "test_images": int(test_images), "steps": -(-test_images // batch_size),
            "parameters": int(parameters)}


def evaluate_line(metrics: dict) -> str:
    """Test metrics in the format of the lesson's `evaluate(..., verbose=2)` line, without time."""
    return (f"{metrics['steps']}/{metrics['steps']} - loss: {metrics['test_loss']:.4f} "
            f"- accuracy: {metrics['test_accuracy']:.4f}")


def from_history(history: Path, model_path: Path, data: Path, batch_size: int) -> dict:
    """The test metrics from the last row of a training's history (see the module's docstring). The
    model file is still opened, as a check that it is readable and to count its weights."""
    last = pd.read_csv(history, sep="\t").iloc[-1]
    with np.load(data, allow_pickle=False) as stored:
        test_images = len(stored["y_test"])
    found = metrics_json(last["val_loss"], last["val_accuracy"], test_images, batch_size,
                   parameter_count(model_path))
    log.info("test metrics from the last epoch's validation on the test split in %s", history)
    log.info("%s", evaluate_line(found))
    return found


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


def by_running(model_path: Path, data, threads: int, batch_size: int) -> dict:
    """The test metrics from running the saved model on the test split of `data` (a data.Dataset)."""
    from cnn_lesson import backend

    backend.configure(threads, seed=0)
    model = load_model(model_path)
    loss, accuracy = model.evaluate(
        **backend.Batches(data.x_test, data.y_test, batch_size).arguments(), verbose=0)
    found = metrics_json(loss, accuracy, len(data.x_test), batch_size, model.count_params())
    log.info("%s", evaluate_line(found))
    return found


def load_model(path: Path):
    """Load a `.keras` file in Keras' safe mode (no code from the file is run)."""
    import keras

    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a bad file
        raise unreadable_model(path, error) from error
