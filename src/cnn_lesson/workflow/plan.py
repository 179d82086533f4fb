"""The trainings a config asks for, read when the workflow is planned: each experiment's model
and rates times the seeds, checked against its edition's models and figures. No Keras here."""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnn_lesson.edition import Edition, Grid, History, Sweep
from cnn_lesson.errors import InputError
from cnn_lesson.layout import TRAINING, dropout_label, training_folder
from cnn_lesson.settings import Training, training_images

# A rate's folder name, dropout-0.…, holds its decimals written out: at most this many.
MAX_DECIMALS = 32


@dataclass(frozen=True)
class PlannedTraining:
    """One training the config asks for: a model, a dropout rate, a seed, its number of epochs,
    whether its experiment is a sweep (several rates), the figure it makes, and the patience of
    its early stopping (None: none)."""

    model: str
    dropout: float
    seed: int
    epochs: int
    sweep: bool
    figure: str | None = None
    patience: int | None = None

    @property
    def wildcards(self) -> dict[str, str | int]:
        """The training's {model}, {dropout} and {seed} in the paths of its files."""
        return {"model": self.model, "dropout": dropout_label(self.dropout), "seed": self.seed}

    @property
    def folder(self) -> str:
        """'base/dropout-0.00/seed-1'."""
        return training_folder(self.model, self.dropout, self.seed)


def check_numbers(node, where: str = "") -> None:
    """Refuse a number no config can mean, NaN or an infinity, naming its key: JSON schema's
    bounds let NaN through (every comparison with it is false)."""
    if isinstance(node, dict):
        for key, value in node.items():
            check_numbers(value, f"{where}.{key}" if where else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            check_numbers(value, f"{where}[{index}]")
    elif isinstance(node, float) and not math.isfinite(node):
        raise InputError(f"config key {where}: {node} is not a number this config can use; "
                         f"give a finite one.")


def training_settings(planned: PlannedTraining, config: dict, data: str) -> Training:
    """The settings of the training `planned` under `config`, on the data made as `data` says."""
    settings = config["training"]
    return Training(planned.model, planned.dropout, planned.seed, planned.epochs,
                    settings["batch_size"], settings["validation_split"],
                    settings["validation_batch_size"], settings["backend"], data,
                    config["edition"], planned.patience, planned.folder)


def trainings_from_config(config: dict, edition: Edition) -> list[PlannedTraining]:
    """Every training the config asks for, in config order. Refuses what its schema cannot: a
    model or figure the edition does not have, the same model and rate asked for twice, a figure
    asked of the wrong experiment, a validation split that leaves no image on one side."""
    check_numbers(config)
    _check_models(config["experiments"], edition)
    _check_figures(config["experiments"], edition)
    if config["data"].get("n_train") is not None:  # else all of the data's images
        training_images(config["data"]["n_train"], config["training"]["validation_split"])
    trainings, seen = [], {}
    for index, experiment in enumerate(config["experiments"]):
        key, model, rates = f"experiments[{index}]", experiment["model"], experiment["dropout"]
        for rate in rates:
            label = _checked_label(rate, f"{key}.dropout")
            if (model, label) in seen:
                raise InputError(
                    f"config key {key}: {model} at dropout {label} is already asked for by "
                    f"{seen[model, label]}; remove one of them (a model and a rate are trained "
                    f"once per seed)."
                )
            seen[model, label] = key
            trainings += [PlannedTraining(model, float(label), seed, experiment["epochs"],
                                          len(rates) > 1, experiment.get("figure"),
                                          experiment.get("patience"))
                          for seed in config["seeds"]]
    return trainings


def _checked_label(rate: float, key: str) -> str:
    label = dropout_label(rate)
    decimals = len(label) - 2
    if decimals > MAX_DECIMALS:
        raise InputError(
            f"config key {key}: the rate {rate!r} has {decimals} decimals written out, as its "
            f"folder name (dropout-{label[:10]}...) would hold them; round it to at most "
            f"{MAX_DECIMALS} decimals.")
    return label


def planned_for(trainings: list[PlannedTraining], model: str, label: str,
                seed: int) -> PlannedTraining:
    """The training of `trainings` whose files a path names; InputError naming what was asked
    for and what the config asks for if there is none (a typo in a target, a training of
    another config)."""
    for planned in trainings:
        if planned.wildcards == {"model": model, "dropout": label, "seed": seed}:
            return planned
    raise InputError(
        f"a target names the training {TRAINING.format(model=model, dropout=label, seed=seed)}, "
        f"which this config does not ask for. It asks for: {describe(trainings)}. Name one of "
        f"those (a rate is written with two decimals at least, e.g. dropout-0.50), or add the "
        f"training to the config's experiments and seeds.")


def describe(trainings: list[PlannedTraining], most: int = 12) -> str:
    """The trainings as a reader scans them: each model with its rates, then the seeds."""
    rates: dict[str, list[str]] = {}
    for planned in trainings:
        labels = rates.setdefault(planned.model, [])
        if planned.wildcards["dropout"] not in labels:
            labels.append(planned.wildcards["dropout"])
    models = [f"{model} at dropout {_first(labels, most)}" for model, labels in rates.items()]
    seeds = sorted({planned.seed for planned in trainings})
    return f"{'; '.join(models)}; seeds {_first([str(seed) for seed in seeds], most)}"


def _first(items: list[str], most: int) -> str:
    """'a, b, c', or the first `most` of them and how many more."""
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


def _check_models(experiments: list[dict], edition: Edition) -> None:
    for index, experiment in enumerate(experiments):
        if experiment["model"] not in edition.MODELS:
            raise InputError(
                f"config key experiments[{index}].model: {experiment['model']!r} is not a model "
                f"of the {edition.DATA_SET} edition; choose one of {', '.join(edition.MODELS)} "
                f"(or the edition that has it: config key edition).")


def _check_figures(experiments: list[dict], edition: Edition) -> None:
    """Each of the episode's figures comes from experiments of the right shape: a training
    history from one experiment of one rate, the dropout curve from one of several rates, a
    grid search from any number of experiments."""
    owners: dict[str, str] = {}
    for index, experiment in enumerate(experiments):
        figure, key = experiment.get("figure"), f"experiments[{index}].figure"
        if figure is None:
            continue
        if figure not in edition.FIGURES:
            raise InputError(f"config key {key}: {figure!r} is not a figure of the "
                             f"{edition.DATA_SET} edition; choose one of "
                             f"{', '.join(edition.FIGURES)}.")
        kind = edition.FIGURES[figure]
        if figure in owners and not isinstance(kind, Grid):
            raise InputError(f"config key {key}: {figure} is already made by {owners[figure]}; "
                             f"name each figure once.")
        owners.setdefault(figure, key)
        several = len(experiment["dropout"]) > 1
        if isinstance(kind, Sweep) and not several:
            raise InputError(f"config key {key}: {figure} is a dropout curve; give that "
                             f"experiment several rates.")
        if isinstance(kind, History) and several:
            raise InputError(f"config key {key}: {figure} is one training history; give that "
                             f"experiment one rate.")


def figure_trainings(trainings: list[PlannedTraining]) -> dict[str, list[PlannedTraining]]:
    """The trainings (all seeds) behind each of the episode's figures the config names."""
    figures: dict[str, list[PlannedTraining]] = {}
    for planned in trainings:
        if planned.figure:
            figures.setdefault(planned.figure, []).append(planned)
    return figures
