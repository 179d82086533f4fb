"""Train one of the lesson's models as the lesson does, seeded, with one log line per epoch."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import pandas as pd

from cnn_lesson import PROGRESS, backend
from cnn_lesson.data import Dataset
from cnn_lesson.settings import Training, training_images
from cnn_lesson.files import write_atomically
from cnn_lesson.models import build_model, compile_model, summary_text

log = logging.getLogger(__name__)
progress = logging.getLogger(PROGRESS)
# Batches per call into the backend; measured faster than 1, with identical numbers.
STEPS_PER_EXECUTION = 32


class EpochLog(keras.callbacks.Callback):
    """One line per epoch, to the log and the terminal: the training, the epoch, its losses and
    time (history.tsv has every metric); and when each epoch began and ended, appended to
    `timings` (a training's timings.json holds them)."""

    def __init__(self, name: str, epochs: int, timings: list[dict]):
        super().__init__()
        self.name, self.epochs, self.timings = name, epochs, timings
        self.started = self.started_at = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self.started, self.started_at = time.perf_counter(), time.time()

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        seconds = time.perf_counter() - self.started
        self.timings.append({"epoch": epoch + 1, "started": self.started_at,
                             "ended": self.started_at + seconds, "seconds": seconds})
        progress.info("%s  epoch %d/%d  loss %.4f  val_loss %.4f  %.1f s", self.name, epoch + 1,
                      self.epochs, logs.get("loss", float("nan")),
                      logs.get("val_loss", float("nan")), seconds)


@dataclass
class Trained:
    """A fitted model, its history (one row per epoch), its summary from before training, when
    each epoch began and ended (those before a resume from its checkpoint) and the epochs it
    resumed after (0: none)."""

    model: keras.Model
    history: pd.DataFrame
    summary: str
    epochs: list[dict]
    resumed_after: int = 0


def validation_data(data: Dataset, split: float):
    """(training images, labels, validation images, labels): the test split when `split` is 0,
    as in the lesson, else the last `split` of the training subsample, as Keras' validation_split."""
    if split == 0:
        return data.x_train, data.y_train, data.x_test, data.y_test
    cut = training_images(len(data.x_train), split)
    return data.x_train[:cut], data.y_train[:cut], data.x_train[cut:], data.y_train[cut:]


def fit(settings: Training, data: Dataset, threads: int, checkpoint: Path | None = None,
        steps_per_execution: int = STEPS_PER_EXECUTION) -> Trained:
    """Build, compile and fit a model on the lesson's data, as the lesson does, as `settings`
    say (model, rate, seed, epochs, batch sizes, validation).

    With a `checkpoint` folder, the state after each epoch is kept there, and a training killed
    part-way continues from its last finished epoch with the same numbers as one never stopped.
    """
    x_train, y_train, x_val, y_val = validation_data(data, settings.validation_split)
    seed, epochs, batch_size = settings.seed, settings.epochs, settings.batch_size
    backend.configure(threads, seed)
    model = build_model(settings.model, settings.dropout, data.x_train.shape[1:], settings.edition)
    summary = summary_text(model)  # before compiling: the lesson's summary has no optimizer
    compile_model(model, steps_per_execution)
    store = Checkpoint(checkpoint, {"settings": settings.fingerprint(),
                                    "arrays": _arrays_digest(x_train, y_train, x_val, y_val)})
    history, timings = store.load(model, epochs)
    resumed_after = len(history)
    log.info("training %s (dropout %s, seed %d) on %d images, validating on %d %s, "
             "for %d epochs, batch size %d", settings.model, settings.dropout, seed,
             len(x_train), len(x_val),
             "held-out training images" if settings.validation_split else "test images", epochs,
             batch_size)
    callbacks = [EpochLog(f"train {settings.name}", epochs, timings)]
    train = backend.Batches(x_train, y_train, batch_size)
    validation = backend.Batches(x_val, y_val,
                                 settings.validation_batch_size or batch_size).validation()
    for epoch in range(len(history), epochs):
        if stops_early(history, settings.patience):
            break
        # Each epoch's shuffle and dropout masks follow from (seed, epoch) alone, so an epoch
        # run after a restart draws exactly what it would have drawn without one.
        order = np.random.default_rng([seed, epoch]).permutation(len(x_train))
        _reseed_layers(model, seed, epoch)
        result = model.fit(**train.arguments(order), **validation,
                           initial_epoch=epoch, epochs=epoch + 1, shuffle=False, verbose=0,
                           callbacks=callbacks)
        history = pd.concat([history, pd.DataFrame(result.history)], ignore_index=True)
        store.save(model, history, timings)
    if stops_early(history, settings.patience):
        log.info("stopped early after epoch %d: val_loss has not improved for %d epochs",
                 len(history), settings.patience)
    history.index = pd.RangeIndex(1, len(history) + 1, name="epoch")
    return Trained(model, history, summary, timings, resumed_after)


def timings(trained: Trained, threads: int, process_started: float, saved: float) -> dict:
    """A training's timings.json: when its process started, when each epoch began and ended
    (seconds since the epoch; those before a resume kept from its checkpoint), the epochs it
    resumed after, when it saved its results, and its threads. Timings differ from run to run:
    no table or figure holds them, only the claim about training speed and the bench."""
    return {"process_started": process_started, "resumed_after": trained.resumed_after,
            "epochs": trained.epochs, "saved": saved, "threads": threads}


def stops_early(history: pd.DataFrame, patience: int | None) -> bool:
    """Whether Keras' `EarlyStopping(monitor='val_loss', patience=patience)` stops a training
    after the last epoch of `history`. Its state (the best loss, the epochs waited) follows from
    the history alone, so a training resumed from its checkpoint stops where an uninterrupted
    one would."""
    if not patience or history.empty:
        return False
    best, wait = float("inf"), 0
    for epoch, loss in enumerate(history["val_loss"]):
        wait += 1
        if loss < best:  # Keras' improvement, min_delta 0
            best, wait = loss, 0
        elif wait >= patience and epoch > 0:
            return True
    return False


def _reseed_layers(model: keras.Model, seed: int, epoch: int) -> None:
    """Set every layer's random state (Dropout's) to a function of the seed, layer and epoch."""
    for index, layer in enumerate(model.layers):
        generator = getattr(layer, "seed_generator", None)
        if generator is not None:
            layer_seed = int(np.random.default_rng([seed, index]).integers(2**31))
            generator.state.assign(np.array([layer_seed, epoch << 20]).astype(
                generator.state.dtype))


def _arrays_digest(*arrays: np.ndarray) -> str:
    """SHA-256 of arrays' shapes and bytes: which data a checkpoint was trained on."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(str(array.shape).encode())
        digest.update(memoryview(np.ascontiguousarray(array)).cast("B"))
    return digest.hexdigest()


class Checkpoint:
    """One training's state after its last finished epoch: `epoch-N.npz` (the model's weights
    and the optimizer's variables, in their order) and `state.json`.

    It lives outside the rule's outputs (Snakemake deletes those of a killed job) and is
    written so that a kill at any moment leaves the previous epoch's state readable. Arrays,
    not a `.keras` file: 4 ms an epoch against 38 ms (docs/benchmarks.md), and read back into
    the model the training builds, compiled as it compiles it.
    """

    def __init__(self, folder: Path | None, fingerprint: dict):
        self.folder = Path(folder) if folder else None
        self.fingerprint = fingerprint

    def load(self, model: keras.Model, epochs: int) -> tuple[pd.DataFrame, list[dict]]:
        """The history to continue from and its epochs' timings, its state set into `model`;
        both empty to start over."""
        if self.folder is None or not (self.folder / "state.json").exists():
            return pd.DataFrame(), []
        try:
            state = json.loads((self.folder / "state.json").read_text())
            if not isinstance(state, dict):
                raise ValueError(f"state.json holds a {type(state).__name__}, not an object")
            if state["fingerprint"] != self.fingerprint or state["epoch"] > epochs:
                log.info("checkpoint in %s is of another training; starting over", self.folder)
                return pd.DataFrame(), []
            _set_state(model, self.folder / f"epoch-{state['epoch']}.npz")
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as error:
            log.warning("checkpoint in %s is unreadable (%s); starting over", self.folder, error)
            return pd.DataFrame(), []
        log.info("resuming from the checkpoint after epoch %d in %s", state["epoch"], self.folder)
        return pd.DataFrame(state["history"]), list(state.get("timings", []))

    def save(self, model: keras.Model, history: pd.DataFrame, timings: list[dict]) -> None:
        """Keep the state after epoch len(history), with its epochs' timings; the previous
        epoch's stays until then."""
        if self.folder is None:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        epoch = len(history)
        arrays = [variable.numpy() for variable in _state_variables(model)]
        write_atomically(self.folder / f"epoch-{epoch}.npz", lambda path: np.savez(path, *arrays))
        state = {"fingerprint": self.fingerprint, "epoch": epoch,
                 "history": history.to_dict(orient="list"), "timings": timings}
        write_atomically(self.folder / "state.json",
                         lambda path: Path(path).write_text(json.dumps(state)))
        for old in self.folder.glob("epoch-*"):
            if old.name != f"epoch-{epoch}.npz":
                old.unlink()

    @staticmethod
    def remove(folder: Path) -> None:
        """Delete a finished training's checkpoint."""
        shutil.rmtree(folder, ignore_errors=True)


def _state_variables(model: keras.Model) -> list:
    """What a training's next epoch depends on: the weights and the optimizer's variables (its
    step count and moments; Dropout's random state is set from the seed and epoch)."""
    if not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
    return [*model.weights, *model.optimizer.variables]


def _set_state(model: keras.Model, path: Path) -> None:
    """Set `model`'s state from arrays saved by Checkpoint.save, all or nothing."""
    variables = _state_variables(model)
    with np.load(path, allow_pickle=False) as stored:
        arrays = [stored[f"arr_{index}"] for index in range(len(stored.files))]
    shapes = [tuple(variable.shape) for variable in variables]
    if [array.shape for array in arrays] != shapes:
        raise ValueError(f"{path.name} holds {len(arrays)} arrays, not the {len(shapes)} of "
                         f"this model and optimizer")
    for variable, array in zip(variables, arrays, strict=True):
        variable.assign(array)
