"""Train one of the lesson's models as the lesson does, seeded, with one log line per epoch."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import keras
import pandas as pd

from cnn_lesson import backend
from cnn_lesson.data import Dataset
from cnn_lesson.errors import InputError
from cnn_lesson.models import build_model, compile_model, summary_text

log = logging.getLogger(__name__)
BATCH_SIZE = 32


class EpochLog(keras.callbacks.Callback):
    """Log one line per epoch: its time and every metric."""

    def __init__(self, epochs: int):
        super().__init__()
        self.epochs = epochs
        self.started = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        metrics = " - ".join(f"{name}: {value:.4f}" for name, value in (logs or {}).items())
        log.info("epoch %d/%d - %.1fs - %s", epoch + 1, self.epochs,
                 time.perf_counter() - self.started, metrics)


@dataclass
class Trained:
    """A fitted model, its history (one row per epoch) and its summary from before training."""

    model: keras.Model
    history: pd.DataFrame
    summary: str


def validation_data(data: Dataset, split: float):
    """(training images, labels, validation images, labels): the test split when `split` is 0,
    as in the lesson, else the last `split` of the training subsample, as Keras' validation_split."""
    if split == 0:
        return data.x_train, data.y_train, data.x_test, data.y_test
    cut = int(len(data.x_train) * (1 - split))
    if not 0 < cut < len(data.x_train):
        raise InputError(f"config key training.validation_split: {split} of "
                         f"{len(data.x_train)} images leaves no training or no validation image.")
    return data.x_train[:cut], data.y_train[:cut], data.x_train[cut:], data.y_train[cut:]


def fit(model_name: str, dropout: float, data: Dataset, epochs: int, seed: int,
        threads: int, batch_size: int = BATCH_SIZE, validation_split: float = 0.0) -> Trained:
    """Build, compile and fit a model on the lesson's data, as the lesson does."""
    x_train, y_train, x_val, y_val = validation_data(data, validation_split)
    backend.configure(threads, seed)
    model = build_model(model_name, dropout, input_shape=data.x_train.shape[1:])
    summary = summary_text(model)  # before compiling: the lesson's summary has no optimizer
    compile_model(model)
    log.info("training %s (dropout %s, seed %d) on %d images, validating on %d %s, "
             "for %d epochs, batch size %d", model_name, dropout, seed, len(x_train), len(x_val),
             "held-out training images" if validation_split else "test images", epochs,
             batch_size)
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(x_val, y_val), verbose=0, callbacks=[EpochLog(epochs)])
    table = pd.DataFrame(history.history)
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")
    return Trained(model, table, summary)
