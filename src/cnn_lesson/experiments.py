"""The episode's models and figures by name, and the runs a config asks for: read when the
workflow is planned, so no Keras here."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from decimal import Decimal

from cnn_lesson.errors import InputError

# The lesson's models (cnn_lesson.models builds them; the schema's enum lists them too).
MODELS = ["small", "base", "extra_layer"]
# The models the episode summarises: (name in its tables, model, dropout rate).
EPISODE_MODELS = [("small", "small", 0.0), ("base", "base", 0.0),
                  ("extra_layer", "extra_layer", 0.0), ("dropout", "extra_layer", 0.8)]

# The episode's figures made from runs, by file name (the schema's enum lists them too): three
# training histories, each an accuracy and a loss figure, numbered n, and the dropout curve.
HISTORY_FIGURE = "04_training_history_{n}"
HISTORY_LOSS_FIGURE = "04_training_history_loss_{n}"
HISTORIES = ["1", "2", "3"]
SWEEP_FIGURE = "04_vary_dropout_rate"
FIGURES = [HISTORY_FIGURE.format(n=n) for n in HISTORIES] + [SWEEP_FIGURE]
# The run whose `evaluate` line the episode prints: the dropout model's.
EVALUATED_FIGURE = HISTORY_FIGURE.format(n="3")
# A rate's folder name, dropout-0.…, holds its decimals written out: at most this many.
MAX_DECIMALS = 32


@dataclass(frozen=True)
class Run:
    """One training: a model, a dropout rate, a seed and its number of epochs."""

    model: str
    dropout: float
    seed: int
    epochs: int
    sweep: bool
    figure: str | None = None

    @property
    def wildcards(self) -> dict[str, str | int]:
        """The run's {model}, {dropout} and {seed} in the paths of its files."""
        return {"model": self.model, "dropout": dropout_label(self.dropout), "seed": self.seed}


@dataclass(frozen=True)
class Training:
    """What one training is made with, each fact once: built from the config and a run when the
    workflow is planned (training_settings), passed by the rule to its job, and read there by
    `fit`, its checkpoint and its provenance."""

    model: str
    dropout: float
    seed: int
    epochs: int
    batch_size: int
    validation_split: float = 0.0
    validation_batch_size: int | None = None  # None: the training batch size
    backend: str | None = None  # None: KERAS_BACKEND, or TensorFlow
    data: str = ""  # what the prepared data is made from (the workflow's data recipe)

    @property
    def name(self) -> str:
        """The run's name in logs and paths, e.g. 'base/dropout-0.00/seed-1'."""
        return f"{self.model}/dropout-{dropout_label(self.dropout)}/seed-{self.seed}"

    def as_dict(self) -> dict:
        """The settings as plain values, as a rule's param holds them and provenance records
        them."""
        return asdict(self)

    def fingerprint(self) -> dict:
        """What makes a checkpoint this training's: every setting but the number of epochs (a
        training asked for more epochs continues from the one asked for fewer)."""
        return {key: value for key, value in self.as_dict().items() if key != "epochs"}


def training_settings(run: Run, config: dict, data: str) -> Training:
    """The settings of `run`'s training under `config`, on the data made as `data` says."""
    settings = config["training"]
    return Training(run.model, run.dropout, run.seed, run.epochs, settings["batch_size"],
                    settings["validation_split"], settings["validation_batch_size"],
                    settings["backend"], data)


def dropout_label(rate: float) -> str:
    """The one spelling of a dropout rate in paths: two decimals at least (0.8 -> '0.80'), as
    many as it takes, never an exponent (0.00001 -> '0.00001'), never a sign (-0.0 -> '0.00')."""
    rate = float(rate) + 0.0  # -0.0 + 0.0 is 0.0
    label = f"{rate:.2f}"
    return label if float(label) == rate else format(Decimal(repr(rate)), "f")


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


def runs_from_config(config: dict) -> list[Run]:
    """Every run the config asks for, in config order. Refuses what its schema cannot: the same
    run asked for twice, a figure asked of the wrong experiment or of two, a validation split
    that leaves no image on one side."""
    check_numbers(config)
    _check_figures(config["experiments"])
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
                         experiment.get("figure")) for seed in config["seeds"]]
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
        f"a target names the run {model}/dropout-{label}/seed-{seed}, which this config does "
        f"not ask for. It asks for: {describe(runs)}. Name one of those (a rate is written with "
        f"two decimals at least, e.g. dropout-0.50), or add the run to the config's "
        f"experiments and seeds.")


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


def _check_figures(experiments: list[dict]) -> None:
    """Each of the episode's figures comes from one experiment of the right shape."""
    owners: dict[str, str] = {}
    for index, experiment in enumerate(experiments):
        figure, key = experiment.get("figure"), f"experiments[{index}].figure"
        if figure is None:
            continue
        if figure in owners:
            raise InputError(f"config key {key}: {figure} is already made by {owners[figure]}; "
                             f"name each figure once.")
        owners[figure] = key
        several = len(experiment["dropout"]) > 1
        if figure == SWEEP_FIGURE and not several:
            raise InputError(f"config key {key}: {figure} is a dropout curve; give that "
                             f"experiment several rates.")
        if figure != SWEEP_FIGURE and several:
            raise InputError(f"config key {key}: {figure} is one training history; give that "
                             f"experiment one rate.")


def figure_runs(runs: list[Run]) -> dict[str, list[Run]]:
    """The runs (all seeds) behind each of the episode's figures the config names."""
    figures: dict[str, list[Run]] = {}
    for run in runs:
        if run.figure:
            figures.setdefault(run.figure, []).append(run)
    return figures
