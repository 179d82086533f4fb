"""Test loss and accuracy of a saved model, as the lesson's `model.evaluate` prints them."""

from __future__ import annotations

import logging
from pathlib import Path

import keras

from cnn_lesson import backend
from cnn_lesson.data import Dataset
from cnn_lesson.errors import unreadable_model
from cnn_lesson.tables import evaluate_line, metrics_record
from cnn_lesson.training import BATCH_SIZE

log = logging.getLogger(__name__)


def load_model(path: Path) -> keras.Model:
    """Load a `.keras` file in Keras' safe mode (no code from the file is run)."""
    try:
        return keras.models.load_model(path, safe_mode=True)
    except Exception as error:  # Keras raises many kinds for a bad file
        raise unreadable_model(path, error) from error


def evaluate(model_path: Path, data: Dataset, threads: int, batch_size: int = BATCH_SIZE) -> dict:
    """Loss and accuracy on the test split, with the step count of the lesson's output line."""
    backend.configure(threads, seed=0)
    model = load_model(model_path)
    loss, accuracy = model.evaluate(
        **backend.Batches(data.x_test, data.y_test, batch_size).arguments(), verbose=0)
    metrics = metrics_record(loss, accuracy, len(data.x_test), batch_size, model.count_params())
    log.info("%s", evaluate_line(metrics))
    return metrics
