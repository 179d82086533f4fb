"""Turn the config's experiments into the list of runs the workflow trains, with clear errors."""

from __future__ import annotations

from dataclasses import dataclass

from cnn_lesson.errors import InputError
from cnn_lesson.architectures import ARCHITECTURES


@dataclass(frozen=True)
class Run:
    """One training: an architecture, a dropout rate, a seed and its number of epochs."""

    model: str
    dropout: str
    seed: int
    epochs: int
    sweep: bool

    @property
    def path(self) -> str:
        """The run's part of every path under results/, logs/ and benchmarks/."""
        return f"{self.model}/dropout-{self.dropout}/seed-{self.seed}"


def dropout_label(rate: float) -> str:
    """The one spelling of a dropout rate in paths: two decimals at least (0.8 -> '0.80')."""
    label = f"{rate:.2f}"
    return label if float(label) == rate else repr(float(rate))


def runs_from_config(config: dict) -> list[Run]:
    """Every run the config asks for, in config order; refuses unknown models and duplicates."""
    runs, seen = [], {}
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
                runs.append(Run(model, label, seed, experiment["epochs"], len(rates) > 1))
    return runs
