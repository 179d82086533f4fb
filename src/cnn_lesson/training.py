"""Train one of the lesson's models as the lesson does, seeded, with one log line per epoch."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import keras
import pandas as pd

from cnn_lesson import backend
from cnn_lesson.data import Dataset
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


def fit(model_name: str, dropout: float, data: Dataset, epochs: int, seed: int,
        threads: int, batch_size: int = BATCH_SIZE) -> Trained:
    """Build, compile and fit a model on the lesson's data, as the lesson does."""
    backend.configure(threads, seed)
    model = build_model(model_name, dropout, input_shape=data.x_train.shape[1:])
    summary = summary_text(model)  # before compiling: the lesson's summary has no optimizer
    compile_model(model)
    log.info("training %s (dropout %s, seed %d) on %d images for %d epochs, batch size %d",
             model_name, dropout, seed, len(data.x_train), epochs, batch_size)
    history = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(data.x_test, data.y_test), verbose=0,
                        callbacks=[EpochLog(epochs)])
    table = pd.DataFrame(history.history)
    table.index = pd.RangeIndex(1, len(table) + 1, name="epoch")
    return Trained(model, table, summary)
