"""What an edition of the episode declares, and where to find it.

An edition is one module of `cnn_lesson.editions`, read top to bottom like a Keras example: its
data (where it comes from, how it is checked and read), its models as the episode writes them,
the figures made from its trainings, and its claims with the words they check. `Edition` below
is what each module must define, with its type; `load` checks a module against it when it is
first loaded, so a missing or wrong name stops with the name and the module. An edition is found
by its module's presence in `src/cnn_lesson/editions/`: no list of editions is kept elsewhere.
Besides its module, an edition has a config (`CONFIG`) and a schema of its `data` keys
(`workflow/schemas/data/<NAME>.schema.yaml`). Every edition also gets the two drawings of a
convolution (04_conv_matrix, 04_conv_image), drawn on the package's own photograph, not on its
data. Nothing here imports Keras.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Protocol, runtime_checkable

from cnn_lesson.errors import InputError

# The edition a config that names none is of
DEFAULT = "cifar10"


@dataclass(frozen=True)
class History:
    """A training's accuracy and validation accuracy against epochs, in the figure named as the
    config's `figure`, and both losses in the figure named `loss` where the episode has one.
    One experiment, one rate."""

    loss: str | None = None


@dataclass(frozen=True)
class Sweep:
    """The test loss at the end of each training against its dropout rate. One experiment,
    several rates. An edition has one at most. `label` is the y axis's label in the episode's
    words, where they differ from `test_loss` (the Dollar Street 10 episode's `val_loss`: its
    validation data is the test split)."""

    label: str | None = None


@dataclass(frozen=True)
class Grid:
    """A grid search, scored as keras_tuner scores a trial: each training's best validation
    loss. Several experiments (a model each), several rates each."""

    labels: dict[str, str] = field(default_factory=dict)  # model -> its hyperparameters


@runtime_checkable
class DataSource(Protocol):
    """Where an edition's data comes from and how it is read (cnn_lesson.archive.TarArchive,
    cnn_lesson.npy_zip.NpyZip): read as hostile, checked against its checksums."""

    file: str  # its name under resources/
    image_shape: tuple[int, int, int]
    classes: int  # how many categories its labels name
    checksums_beside: bool  # whether the download records the checksums it verified beside it

    def checksums(self, data: dict) -> dict | None: ...

    def recipe(self, data: dict) -> str: ...

    # `shown` names the file in refusals (the user's file, data.archive or the URL), `remedy`
    # says what to do about it
    def mismatch(self, path: Path, checksums: dict, shown=None, remedy=None) -> str | None: ...

    def read(self, path: Path, checksums: dict, n_train: int | None, shown=None,
             remedy=None): ...


@dataclass(frozen=True)
class Edition:
    """What an edition module defines, each name with its type. `module` is the module's own
    name (cnn_lesson.editions.NAME), for the digests of the code the rules run."""

    NAME: str  # the module's name, and the config's `edition`
    TITLE: str  # how the claims name it: 'CIFAR-10 edition (deep-learning-intro at c411bb6c)'
    DATA_SET: str  # the data set's name, as its episode writes it
    FOLDER: str  # its folder under results/, logs/, ... ('' for none)
    CONFIG: str  # its complete config, from the workflow's folder
    DATA: DataSource
    MODELS: dict[str, Callable]  # a config's model names -> builders (dropout, input_shape)
    SAMPLE_FIGURE: str  # the figure of its first training images
    FIGURES: dict[str, History | Sweep | Grid]  # what a config's experiments may make
    EVALUATED_FIGURE: str | None  # the training whose `evaluate` line the episode prints
    exercise_models: Callable[[], dict]  # the parameter exercises' layers, as models
    SUMMARIES: list[tuple[str, str, float]]  # (name in its tables, model, rate)
    PRINTS: dict[str, tuple | None]  # what the episode prints of each: (layers, total)
    NOTES: dict[str, str]  # a note per summary and exercise
    CLAIMS: list  # its claims (cnn_lesson.claims), in the episode's order
    # Optional: how its episode loads its data (a regular expression its Markdown matches:
    # `cnn-lesson handoff` tells an episode's edition by it), and the config that adds the
    # seeds its claims need ('' for none)
    EPISODE_LOADS: str = ""
    CLAIMS_CONFIG: str = ""
    module: str = ""


# The type each name must have, where isinstance can tell (Callable: callable())
KINDS = {"NAME": str, "TITLE": str, "DATA_SET": str, "FOLDER": str, "CONFIG": str,
         "DATA": DataSource, "MODELS": dict, "SAMPLE_FIGURE": str, "FIGURES": dict,
         "EVALUATED_FIGURE": (str, type(None)), "SUMMARIES": list, "PRINTS": dict,
         "NOTES": dict, "CLAIMS": list, "EPISODE_LOADS": str, "CLAIMS_CONFIG": str}
# What each edition must define, and what it may
DECLARED = tuple(item.name for item in fields(Edition) if item.default is MISSING)
OPTIONAL = tuple(item.name for item in fields(Edition)
                 if item.default is not MISSING and item.name != "module")
# The two drawings of a convolution every edition gets (rule lesson_convolution)
DRAWINGS = ("04_conv_matrix", "04_conv_image")


class EditionError(InputError):
    """An edition module that does not declare what `Edition` asks."""


def names() -> list[str]:
    """The editions: the modules of cnn_lesson.editions, the default first."""
    from cnn_lesson import editions

    found = sorted(info.name for info in pkgutil.iter_modules(editions.__path__)
                   if not info.name.startswith("_"))
    return sorted(found, key=lambda name: name != DEFAULT)


def load(name: str) -> Edition:
    """The edition called `name`, checked; InputError naming the config key if there is none,
    EditionError naming the module and the name where it declares something wrong."""
    if not isinstance(name, str) or name not in names():
        raise InputError(f"config key edition: {name!r} is not an edition; choose one of "
                         f"{', '.join(names())} (the modules of src/cnn_lesson/editions/).")
    return _load(name)


@cache
def _load(name: str) -> Edition:
    module = importlib.import_module(f"cnn_lesson.editions.{name}")
    where = module.__name__
    missing = [declared for declared in DECLARED if not hasattr(module, declared)]
    if missing:
        raise EditionError(f"{where} does not define {', '.join(missing)}: an edition defines "
                           f"each name of cnn_lesson.edition.Edition.")
    edition = Edition(**{declared: getattr(module, declared) for declared in DECLARED},
                      **{name: getattr(module, name) for name in OPTIONAL if hasattr(module, name)},
                      module=where)
    for problem in problems(edition):
        raise EditionError(f"{where}: {problem}.")
    return edition


def problems(edition: Edition) -> list[str]:
    """What `edition` declares wrongly, each naming the name: a wrong type, a figure, summary or
    claim that names what the edition lacks."""
    found = [f"{declared} is a {type(getattr(edition, declared)).__name__}, not "
             f"{_kind_name(kind)}" for declared, kind in KINDS.items()
             if not isinstance(getattr(edition, declared), kind)]
    if not callable(edition.exercise_models):
        found.append("exercise_models is not a function")
    if found:
        return found
    if edition.NAME != edition.module.rsplit(".", 1)[-1]:
        found.append(f"NAME is {edition.NAME!r}, not its module's name")
    found += [f"FIGURES[{name!r}] is a {type(kind).__name__}, not a History, Sweep or Grid"
              for name, kind in edition.FIGURES.items()
              if not isinstance(kind, History | Sweep | Grid)]
    if sum(isinstance(kind, Sweep) for kind in edition.FIGURES.values()) > 1:
        found.append("FIGURES holds more than one Sweep")
    if edition.EVALUATED_FIGURE not in (None, *edition.FIGURES):
        found.append(f"EVALUATED_FIGURE {edition.EVALUATED_FIGURE!r} is not one of FIGURES")
    if edition.EPISODE_LOADS:
        try:
            re.compile(edition.EPISODE_LOADS)
        except re.error as error:
            found.append(f"EPISODE_LOADS is no regular expression ({error})")
    found += [f"MODELS[{name!r}] is not a function" for name, build in edition.MODELS.items()
              if not callable(build)]
    return found + _summary_problems(edition) + _claim_problems(edition)


def _summary_problems(edition: Edition) -> list[str]:
    found = []
    for summary in edition.SUMMARIES:
        if not (isinstance(summary, tuple) and len(summary) == 3):
            found.append(f"SUMMARIES holds {summary!r}, not (name, model, rate)")
        elif summary[1] not in edition.MODELS:
            found.append(f"SUMMARIES names the model {summary[1]!r}, not one of MODELS")
        elif summary[0] not in edition.PRINTS or summary[0] not in edition.NOTES:
            found.append(f"SUMMARIES names {summary[0]!r}, which PRINTS and NOTES must both hold")
    return found


def _claim_problems(edition: Edition) -> list[str]:
    """A claim about trainings reads one of the edition's figures; a claim about a summarised
    model needs that summary (its `needs`)."""
    summaries = {summary[0] for summary in edition.SUMMARIES}
    found = []
    for claim in edition.CLAIMS:
        name = getattr(claim, "claim", repr(claim))
        if not callable(getattr(claim, "row", None)):
            found.append(f"CLAIMS holds {name}, which is no claim (cnn_lesson.claims)")
        for figure in getattr(claim, "figures", ()):
            if figure not in edition.FIGURES:
                found.append(f"claim {name} reads the figure {figure!r}, not one of FIGURES")
        for needed in getattr(claim, "needs", ()):
            if needed not in summaries:
                found.append(f"claim {name} needs the summary {needed!r}, not in SUMMARIES")
    return found


def figure_names(edition: Edition) -> list[str]:
    """Every figure an edition's runs can make, by its name in the episode: the sample images,
    each History figure and its loss figure, the Sweep, and the drawings (Grid makes a table)."""
    names = [edition.SAMPLE_FIGURE, *DRAWINGS]
    for name, kind in edition.FIGURES.items():
        if isinstance(kind, History):
            names += [name, *([kind.loss] if kind.loss else [])]
        elif isinstance(kind, Sweep):
            names.append(name)
    return names


def _kind_name(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join("None" if each is type(None) else f"a {each.__name__}" for each in kinds)
