"""What an edition of the episode declares, and where to find it.

An edition is one module of `cnn_lesson.editions`, read top to bottom like a Keras example: its
data (where it comes from, how it is checked and read), its models as the episode writes them,
the figures made from its runs, and its claims with the words they check. These are the names
each edition module defines; everything else (the rules, the checks, provenance, the claims'
rules, the report, the terminal) is shared and reads them. Nothing here imports Keras.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType

from cnn_lesson.errors import InputError

# The editions, by the name a config's `edition` key gives; the first is the default.
EDITIONS = {"cifar10": "CIFAR-10, as taught in 2023",
            "dollar_street_10": "Dollar Street 10, as taught since 2024"}
DEFAULT = "cifar10"
# What each edition module defines (tests/unit/test_editions.py checks both have them all).
DECLARES = ("NAME", "TITLE", "FOLDER", "CONFIG", "DATA", "MODELS", "SAMPLE_FIGURE", "FIGURES",
            "EVALUATED_FIGURE", "exercise_models", "SUMMARIES", "PRINTS", "NOTES", "CLAIMS")


@dataclass(frozen=True)
class History:
    """A training's accuracy and validation accuracy against epochs, in the figure named as the
    config's `figure`, and both losses in the figure named `loss` where the episode has one.
    One experiment, one rate."""

    loss: str | None = None


@dataclass(frozen=True)
class Sweep:
    """The test loss at the end of each training against its dropout rate. One experiment,
    several rates."""


@dataclass(frozen=True)
class Grid:
    """A grid search, scored as keras_tuner scores a trial: each training's best validation
    loss. Several experiments (a model each), several rates each."""

    labels: dict[str, str] = field(default_factory=dict)  # model -> its hyperparameters


def load(name: str) -> ModuleType:
    """The edition module called `name`; InputError naming the config key if there is none."""
    if name not in EDITIONS:
        raise InputError(f"config key edition: {name!r} is not an edition; choose one of "
                         f"{', '.join(EDITIONS)}.")
    return importlib.import_module(f"cnn_lesson.editions.{name}")
