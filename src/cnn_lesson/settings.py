"""One training's settings, each fact once: built from the config when the workflow is planned,
and read by `fit`, its checkpoint and its record (provenance.json). No Keras here."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from cnn_lesson.errors import InputError


@dataclass(frozen=True)
class Training:
    """What one training is made with, each fact once: built from the config when the workflow
    is planned (cnn_lesson.workflow.plan.training_settings), passed by the rule to its job, and
    read there by `fit`, its checkpoint and its record."""

    model: str
    dropout: float
    seed: int
    epochs: int
    batch_size: int
    validation_split: float = 0.0
    validation_batch_size: int | None = None  # None: the training batch size
    backend: str | None = None  # None: KERAS_BACKEND, or TensorFlow
    data: str = ""  # what the prepared data is made from (the workflow's data recipe)
    edition: str = "cifar10"  # whose models (cnn_lesson.editions)
    patience: int | None = None  # early stopping on val_loss, as Keras' EarlyStopping; None: none
    folder: str = ""  # the training's folder, as the workflow names it ('base/dropout-0.00/seed-1')

    @property
    def name(self) -> str:
        """The training's name in logs: its folder, or its model, rate and seed."""
        return self.folder or f"{self.model} dropout {self.dropout:g} seed {self.seed}"

    def as_dict(self) -> dict:
        """The settings as plain values, as a rule's param holds them and the training's record
        keeps them."""
        return asdict(self)

    def fingerprint(self) -> dict:
        """What makes a checkpoint this training's: every setting but the number of epochs (a
        training asked for more epochs continues from the one asked for fewer)."""
        return {key: value for key, value in self.as_dict().items() if key != "epochs"}


def training_images(n_train: int, validation_split: float) -> int:
    """How many of the `n_train` images train when the last `validation_split` of them validate
    (as Keras' validation_split); InputError naming both keys if either part would be empty."""
    cut = int(n_train * (1 - validation_split))
    if validation_split and not 0 < cut < n_train:
        raise InputError(
            f"config key training.validation_split: {validation_split} of data.n_train "
            f"{n_train} images leaves {cut} to train on and {n_train - cut} to validate on; "
            f"each needs at least one. Lower training.validation_split or raise data.n_train.")
    return cut
