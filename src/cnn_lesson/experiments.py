"""Turn the config's experiments into the list of runs the workflow trains, with clear errors."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from cnn_lesson.errors import InputError
from cnn_lesson.architectures import ARCHITECTURES


SWEEP_FIGURE = "04_vary_dropout_rate"
HISTORY_FIGURES = [f"04_training_history_{i}" for i in (1, 2, 3)]
# The run whose `evaluate` line the episode prints: the dropout model.
EVALUATED_FIGURE = HISTORY_FIGURES[2]


@dataclass(frozen=True)
class Run:
    """One training: an architecture, a dropout rate, a seed and its number of epochs."""

    model: str
    dropout: str
    seed: int
    epochs: int
    sweep: bool
    figure: str | None = None

    @property
    def path(self) -> str:
        """The run's part of every path under results/, logs/ and benchmarks/."""
        return f"{self.model}/dropout-{self.dropout}/seed-{self.seed}"


def dropout_label(rate: float) -> str:
    """The one spelling of a dropout rate in paths: two decimals at least (0.8 -> '0.80'), as
    many as it takes, never an exponent (0.00001 -> '0.00001')."""
    label = f"{rate:.2f}"
    return label if float(label) == rate else format(Decimal(repr(float(rate))), "f")


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
    """Every run the config asks for, in config order; refuses what the schema cannot: duplicate
    runs, misused figures, a validation split that leaves no image on one side."""
    runs, seen = [], {}
    _check_figures(config["experiments"])
    training_images(config["data"]["n_train"], config["training"]["validation_split"])
    for index, experiment in enumerate(config["experiments"]):
        key = f"experiments[{index}]"
        model = experiment["model"]
        if model not in ARCHITECTURES:
            raise InputError(
                f"config key {key}.model: unknown model {model!r}; "
                f"choose one of {', '.join(ARCHITECTURES)}."
            )
        rates = experiment["dropout"]
        for rate in rates:
            if not 0 <= rate < 1:
                raise InputError(f"config key {key}.dropout: rate {rate} is outside [0, 1).")
            label = dropout_label(rate)
            if (model, label) in seen:
                raise InputError(
                    f"config key {key}: {model} at dropout {label} is already asked for by "
                    f"{seen[model, label]}; remove one of them (a run is a model and a rate)."
                )
            seen[model, label] = key
            for seed in config["seeds"]:
                runs.append(Run(model, label, seed, experiment["epochs"], len(rates) > 1,
                                experiment.get("figure")))
    return runs


def _check_figures(experiments: list[dict]) -> None:
    """Each lesson figure comes from one experiment of the right shape."""
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
    """The runs (all seeds) behind each lesson figure the config names."""
    figures: dict[str, list[Run]] = {}
    for run in runs:
        if run.figure:
            figures.setdefault(run.figure, []).append(run)
    return figures
