"""Results read back, the inverse of cnn_lesson.layout: the one reader of what a run wrote.

Given a results folder (a run's folder, its --directory; a copy of its results/; or one
edition's results folder such as results/dollar-street-10/), `editions` yields the editions it
holds and, for each training, its model, rate, seed and edition from the training's own record
(provenance.json, never a folder's name) with the paths of its files. It looks only in the
results folders the layout puts there, so other runs kept below a run's folder (runs/, as
config/README.md suggests) are never taken for its own. Rule scripts read their trainings from
the records among their inputs (`trained`). Every file it reads that is missing, unreadable, not
UTF-8 or not of its expected form is an InputError naming the file and what is wrong.

Nothing here imports Keras or Snakemake.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path

import pandas as pd

from cnn_lesson import layout
from cnn_lesson.errors import InputError
from cnn_lesson.layout import training_folder

HISTORY_COLUMNS = ("loss", "accuracy", "val_loss", "val_accuracy")
METRICS = ("test_loss", "test_accuracy")
# What to do about a damaged file of a training, and about one the run made from its trainings
MEND = ("restore it from a copy of the run, or train it again (delete its training's folder "
        "and run the workflow as before)")
MADE_MEND = ("restore it from a copy of the run, or delete it and run the workflow as before, "
             "which makes it again from the trainings")


def read_text(path: Path, mend: str = MEND) -> str:
    """The text of `path`; InputError naming it where it is missing, a folder, unreadable or
    not UTF-8 (`mend`: what to do then; by default about a training's file)."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path} is missing.") from None
    except IsADirectoryError:
        raise InputError(f"{path} is a folder, not a file.") from None
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not UTF-8 text ({error.reason} at byte {error.start}): "
                         f"{mend}.") from None
    except OSError as error:
        raise InputError(f"{path} cannot be read ({error.strerror or error}).") from None


def read_object(path: Path) -> dict:
    """A JSON object from `path`; InputError naming it where it is not one."""
    try:
        found = json.loads(read_text(path))
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not JSON ({error.msg} at line {error.lineno}): "
                         f"{MEND}.") from None
    if not isinstance(found, dict):
        raise InputError(f"{path} holds a JSON {type(found).__name__}, not an object: "
                         f"{MEND}.")
    return found


def number(value, path: Path, key: str) -> float:
    """`value` (of `key` in `path`) as a finite number; InputError where it is none."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{path}: {key} is {json.dumps(value)}, not a finite number: {MEND}.")
    return float(value)


@dataclass(frozen=True)
class Trained:
    """One training found in a results folder: its settings from its record, and its files."""

    folder: Path  # results/train/<...>/, its record's folder
    evaluated: Path  # results/evaluate/<...>/
    settings: dict  # what its record says it was made with (cnn_lesson.settings.Training)
    record: dict = field(repr=False)  # its whole record (provenance.json)

    @property
    def model(self) -> str:
        return self.settings["model"]

    @property
    def dropout(self) -> float:
        return float(self.settings["dropout"])

    @property
    def seed(self) -> int:
        return int(self.settings["seed"])

    @property
    def edition(self) -> str:
        return self.settings.get("edition", "cifar10")

    @property
    def name(self) -> str:
        """'base/dropout-0.00/seed-1', from its settings."""
        return training_folder(self.model, self.dropout, self.seed)

    @property
    def point(self) -> tuple[str, float]:
        """(model, rate): the training's point, all seeds."""
        return self.model, self.dropout

    def file(self, name: str) -> Path:
        """One of its files (cnn_lesson.layout: HISTORY, TIMINGS...)."""
        return self.folder / name

    @property
    def metrics_file(self) -> Path:
        return self.evaluated / layout.METRICS

    @property
    def finished(self) -> bool:
        """Whether its evaluation wrote its test metrics (something in their place counts: read,
        it is named)."""
        return self.metrics_file.exists()

    def history(self) -> pd.DataFrame:
        """Its history (a row per epoch, indexed by epoch), checked."""
        return read_history(self.file(layout.HISTORY))

    def metrics(self) -> dict:
        """Its test metrics (metrics.json), checked: finite numbers."""
        found = read_object(self.metrics_file)
        return {**found, **{key: number(found.get(key), self.metrics_file, key)
                            for key in METRICS}}

    def timings(self) -> dict:
        """When its process started, each epoch began and ended, and it saved (timings.json)."""
        path = self.file(layout.TIMINGS)
        found = read_object(path)
        epochs = found.get("epochs")
        if not isinstance(epochs, list) or not all(isinstance(e, dict) for e in epochs):
            raise InputError(f"{path}: its epochs are not a list of objects: {MEND}.")
        for epoch in epochs:
            for key in ("epoch", "started", "ended", "seconds"):
                number(epoch.get(key), path, f"an epoch's {key}")
        for key in ("process_started", "saved", "threads"):
            number(found.get(key), path, key)
        return found

    def epoch_seconds(self) -> list[float]:
        """The seconds of each of its epochs, in order."""
        return [float(epoch["seconds"]) for epoch in self.timings()["epochs"]]


def read_history(path: Path) -> pd.DataFrame:
    """A history table as train writes it (an epoch column, a metric per column), checked."""
    text = read_text(path)
    try:
        table = pd.read_csv(StringIO(text), sep="\t")
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(f"{path} is not a history table ({str(error).splitlines()[0]}): "
                         f"{MEND}.") from None
    missing = [column for column in ("epoch", *HISTORY_COLUMNS) if column not in table]
    if missing or table.empty:
        raise InputError(f"{path} is not a history table (it lacks "
                         f"{', '.join(missing) or 'any epoch'}): {MEND}.")
    try:
        return table.set_index("epoch").astype({column: float for column in HISTORY_COLUMNS})
    except (ValueError, TypeError):
        raise InputError(f"{path} holds a value that is no number: {MEND}.") from None


def read_table(path: Path, columns: tuple[str, ...], numbers: tuple[str, ...] = ()) -> pd.DataFrame:
    """A TSV table the workflow wrote (claims.tsv, chosen_dropout.tsv), checked to hold
    `columns`, those of `numbers` numeric; InputError naming it where it does not."""
    try:
        table = pd.read_csv(StringIO(read_text(path, MADE_MEND)), sep="\t")
    except (ValueError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        raise InputError(f"{path} is not a table ({str(error).splitlines()[0]}): "
                         f"{MADE_MEND}.") from None
    missing = [column for column in columns if column not in table]
    if missing:
        raise InputError(f"{path} lacks the column(s) {', '.join(missing)}: {MADE_MEND}.")
    for column in numbers:
        if len(table) and not pd.api.types.is_numeric_dtype(table[column]):
            raise InputError(f"{path}: its column {column} holds a value that is no number: "
                             f"{MADE_MEND}.")
    return table.astype({column: str for column in columns if column not in numbers})


def trained(record: Path) -> Trained:
    """The training whose record is `record` (a provenance.json under a results folder's
    train/), checked: InputError naming the file where it is not a training's record."""
    record = Path(record)
    found = read_object(record)
    # records written before the word "training" was kept for one training say "run"
    settings = found.get("training", found.get("run"))
    if not isinstance(settings, dict):
        raise InputError(f"{record} is not a training's record (no settings under "
                         f"'training'): {MEND}.")
    if not isinstance(settings.get("model"), str) or not isinstance(settings.get("edition", ""),
                                                                     str):
        raise InputError(f"{record}: its training's model or edition is not a name: {MEND}.")
    number(settings.get("dropout"), record, "training.dropout")
    if isinstance(settings.get("seed"), bool) or not isinstance(settings.get("seed"), int):
        raise InputError(f"{record}: training.seed is {json.dumps(settings.get('seed'))}, not "
                         f"a whole number: {MEND}.")
    results = _results_folder(record)
    relative = record.parent.relative_to(results / layout.TRAINED)
    return Trained(record.parent, results / layout.EVALUATED / relative, settings, found)


def _results_folder(record: Path) -> Path:
    """The results folder above a training's record: the folder that holds its train/."""
    for parent in record.parents:
        if parent.name == layout.TRAINED:
            return parent.parent
    raise InputError(f"{record} is not under a results folder's {layout.TRAINED}/.")


@dataclass(frozen=True)
class EditionResults:
    """One edition's results folder and the trainings found in it, in the order of their
    folders."""

    name: str
    folder: Path
    trainings: list[Trained]

    def finished(self) -> list[Trained]:
        """The trainings whose evaluation wrote their metrics."""
        return [found for found in self.trainings if found.finished]

    def table(self, relative: str) -> Path:
        """One of its tables (cnn_lesson.layout: CLAIMS_TABLE, CHOSEN_TABLE, RUNS_TABLE)."""
        return self.folder / relative


def editions(folder: Path) -> dict[str, EditionResults]:
    """{edition: its results} for each edition whose trainings `folder` holds: a run's folder,
    a copy of its results/, or one edition's results folder."""
    from cnn_lesson.edition import load, names

    folder = Path(folder)
    top = folder / "results" if (folder / "results").is_dir() else folder
    places = [top, *(top / load(name).FOLDER for name in names() if load(name).FOLDER)]
    found: dict[str, EditionResults] = {}
    for place in places:
        for record in sorted((place / layout.TRAINED).rglob(layout.PROVENANCE)):
            training = trained(record)
            held = found.setdefault(training.edition,
                                    EditionResults(training.edition, place, []))
            if held.folder != place:
                raise InputError(f"{folder} holds trainings of {training.edition} in both "
                                 f"{held.folder} and {place}: give one of them.")
            held.trainings.append(training)
    return found


def finished_editions(folder: Path) -> dict[str, EditionResults]:
    """The editions of which `folder` holds a finished training (`cnn-lesson compare` and
    `handoff` read these); InputError where it is no folder or holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder: give a run's folder (its --directory) "
                         f"or a copy of its results/.")
    found = {name: held for name, held in editions(folder).items() if held.finished()}
    if not found:
        raise InputError(f"{folder} holds no finished run (no training with its "
                         f"{layout.METRICS} under it): give a run's folder (its --directory) or "
                         f"a copy of its results/, after the run has finished.")
    return found
