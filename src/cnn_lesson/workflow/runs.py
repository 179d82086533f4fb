"""The runs a config asks for, read when the workflow is planned: each experiment's model and
rates times the seeds, checked against its edition's models and figures. No Keras here."""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import ModuleType

from cnn_lesson.edition import Grid, History, Sweep
from cnn_lesson.errors import InputError
from cnn_lesson.experiments import Training, training_images
from cnn_lesson.workflow.layout import RUN, dropout_label, run_folder

# A rate's folder name, dropout-0.…, holds its decimals written out: at most this many.
MAX_DECIMALS = 32


@dataclass(frozen=True)
class Run:
    """One training: a model, a dropout rate, a seed, its number of epochs, and the patience of
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
        """The run's {model}, {dropout} and {seed} in the paths of its files."""
        return {"model": self.model, "dropout": dropout_label(self.dropout), "seed": self.seed}

    @property
    def folder(self) -> str:
        """'base/dropout-0.00/seed-1'."""
        return run_folder(self.model, self.dropout, self.seed)


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


def training_settings(run: Run, config: dict, data: str) -> Training:
    """The settings of `run`'s training under `config`, on the data made as `data` says."""
    settings = config["training"]
    return Training(run.model, run.dropout, run.seed, run.epochs, settings["batch_size"],
                    settings["validation_split"], settings["validation_batch_size"],
                    settings["backend"], data, config["edition"], run.patience, run.folder)


def runs_from_config(config: dict, edition: ModuleType) -> list[Run]:
    """Every run the config asks for, in config order. Refuses what its schema cannot: a model
    or figure the edition does not have, the same run asked for twice, a figure asked of the
    wrong experiment, a validation split that leaves no image on one side."""
    check_numbers(config)
    _check_models(config["experiments"], edition)
    _check_figures(config["experiments"], edition)
    if config["data"].get("n_train") is not None:  # else all of the data's images
        training_images(config["data"]["n_train"], config["training"]["validation_split"])
    runs, seen = [], {}
    for index, experiment in enumerate(config["experiments"]):
        key, model, rates = f"experiments[{index}]", experiment["model"], experiment["dropout"]
        for rate in rates:
            label = _checked_label(rate, f"{key}.dropout")
            if (model, label) in seen:
                raise InputError(
                    f"config key {key}: {model} at dropout {label} is already asked for by "
                    f"{seen[model, label]}; remove one of them (a run is a model and a rate)."
                )
            seen[model, label] = key
            runs += [Run(model, float(label), seed, experiment["epochs"], len(rates) > 1,
                         experiment.get("figure"), experiment.get("patience"))
                     for seed in config["seeds"]]
    return runs


def _checked_label(rate: float, key: str) -> str:
    label = dropout_label(rate)
    decimals = len(label) - 2
    if decimals > MAX_DECIMALS:
        raise InputError(
            f"config key {key}: the rate {rate!r} has {decimals} decimals written out, as its "
            f"folder name (dropout-{label[:10]}...) would hold them; round it to at most "
            f"{MAX_DECIMALS} decimals.")
    return label


def run_for(runs: list[Run], model: str, label: str, seed: int) -> Run:
    """The run of `runs` whose files a path names; InputError naming what was asked for and
    what the config asks for if there is none (a typo in a target, a run of another config)."""
    for run in runs:
        if run.wildcards == {"model": model, "dropout": label, "seed": seed}:
            return run
    raise InputError(
        f"a target names the run {RUN.format(model=model, dropout=label, seed=seed)}, which "
        f"this config does not ask for. It asks for: {describe(runs)}. Name one of those (a "
        f"rate is written with two decimals at least, e.g. dropout-0.50), or add the run to "
        f"the config's experiments and seeds.")


def describe(runs: list[Run], most: int = 12) -> str:
    """The runs as a reader scans them: each model with its rates, then the seeds."""
    rates: dict[str, list[str]] = {}
    for run in runs:
        labels = rates.setdefault(run.model, [])
        if run.wildcards["dropout"] not in labels:
            labels.append(run.wildcards["dropout"])
    models = [f"{model} at dropout {_first(labels, most)}" for model, labels in rates.items()]
    seeds = sorted({run.seed for run in runs})
    return f"{'; '.join(models)}; seeds {_first([str(seed) for seed in seeds], most)}"


def _first(items: list[str], most: int) -> str:
    """'a, b, c', or the first `most` of them and how many more."""
    more = f" and {len(items) - most} more" if len(items) > most else ""
    return ", ".join(items[:most]) + more


def _check_models(experiments: list[dict], edition: ModuleType) -> None:
    for index, experiment in enumerate(experiments):
        if experiment["model"] not in edition.MODELS:
            raise InputError(
                f"config key experiments[{index}].model: {experiment['model']!r} is not a model "
                f"of the {edition.DATA_SET} edition; choose one of {', '.join(edition.MODELS)} "
                f"(or the edition that has it: config key edition).")


def _check_figures(experiments: list[dict], edition: ModuleType) -> None:
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


def figure_runs(runs: list[Run]) -> dict[str, list[Run]]:
    """The runs (all seeds) behind each of the episode's figures the config names."""
    figures: dict[str, list[Run]] = {}
    for run in runs:
        if run.figure:
            figures.setdefault(run.figure, []).append(run)
    return figures
