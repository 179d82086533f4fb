"""What a claim is checked against: the data's facts, the models' facts, and what the trainings
behind each of the episode's figures measured. No Keras here: the models' facts come in as plain
numbers (cnn_lesson.lesson computes them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Evidence:
    """What one training measured, for the claims: its history (a row per epoch) and test
    metrics, its dropout rate and seed, and the seconds of its epochs (its timings.json)."""

    dropout: float
    seed: int
    history: pd.DataFrame
    metrics: dict
    seconds: list[float]
    model: str = ""


@dataclass(frozen=True)
class DataFacts:
    """What the claims need to know of the data: shapes, pixel range and labels, as stored."""

    shape: tuple[int, ...]  # the training images'
    label_shape: tuple[int, ...]
    pixels: tuple[int, int]  # lowest and highest, 0-255
    labels: list[int]  # the distinct labels, sorted


@dataclass(frozen=True)
class ModelFacts:
    """What the claims need to know of the episode's models, as cnn_lesson.lesson finds it; the
    small model's and the dropout model's shapes only where the edition summarises them."""

    totals: dict[str, int]  # parameters per model (exercises included), as computed
    small_layers: list[tuple[str, int]]  # (type, parameters) of the small model's layers
    small_flatten_input: tuple[int, ...] | None  # the shape the small model's Flatten takes
    dropout_shapes: tuple[tuple, tuple] | None  # the Dropout layer's input and output shapes
    dropout_parameters: int | None


@dataclass(frozen=True)
class Facts:
    """Everything a claim is checked against: the data, the models, and what the trainings
    behind each of the episode's figures measured (by the config's figure name)."""

    data: DataFacts
    models: ModelFacts
    runs: dict[str, list[Evidence]]


def stored_pixel_range(images: np.ndarray) -> tuple[int, int]:
    """The lowest and highest pixel value as the archive stores them (0-255): the prepared
    images are those divided by 255."""
    return int(np.rint(images.min() * 255)), int(np.rint(images.max() * 255))
