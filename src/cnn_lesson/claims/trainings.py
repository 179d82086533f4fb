"""Claims about trainings, each about the trainings behind one of the episode's figures (or two,
compared seed by seed): their curves, a number the episode prints, the dropout sweep's range and
lowest rate, the grid search's best point and its score. `figures` names the figures each
reads."""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from cnn_lesson.claims.evidence import Evidence, Facts
from cnn_lesson.claims.readings import mean_history, noting
from cnn_lesson.claims.rules import (CANNOT_TELL, FAILS, HOLDS, READINGS, RULES, verdict_over_seeds,
                                     verdict_printed)
from cnn_lesson.claims.table import mean_sd, not_run, row


@dataclass(frozen=True)
class AboutTrainings:
    """A claim about the trainings behind the episode's `figure`: its name, its section and the
    episode's words; each kind below adds what it compares."""

    claim: str
    section: str
    says: str
    figure: str

    @property
    def figures(self) -> tuple[str, ...]:
        """The figures whose trainings it reads."""
        return (self.figure,)

    def trainings(self, facts: Facts) -> list[Evidence]:
        return facts.runs.get(self.figure, [])

    def row_of(self, measured: str, seeds: int, verdict: str, rule: str) -> dict:
        return row(self.claim, self.section, self.says, measured, seeds, verdict, rule)

    def not_run(self, rule: str) -> dict:
        return not_run(self.claim, self.section, self.says, rule)


@dataclass(frozen=True)
class Curves(AboutTrainings):
    """A statement about the curves of the training behind `figure`, over its seeds."""

    test: Callable[[pd.DataFrame], bool | None]
    reading: str

    def row(self, facts: Facts) -> dict:
        rule = f"{RULES['seeds']}. {self.reading}"
        runs = self.trainings(facts)
        if not runs:
            return self.not_run(rule)
        per_seed = [self.test(run.history) for run in runs]
        with noting() as noted:
            on_mean = self.test(mean_history([run.history for run in runs]))
        measured = f"{sum(bool(v) for v in per_seed)} of {len(runs)} seeds, mean curve: " \
                   f"{_yes_no(on_mean)}" + _on_the_mean(noted)
        return self.row_of(measured, len(runs),
                           verdict_over_seeds(per_seed, on_mean), rule)


def _on_the_mean(noted: list[tuple[str, bool]]) -> str:
    """What the readings compared on the means, in brackets, and whether one came near its
    threshold."""
    text = f" ({'; '.join(words for words, _ in noted)})" if noted else ""
    return text + ("; near the threshold" if any(near for _, near in noted) else "")


def _yes_no(value: bool | None) -> str:
    return "too few epochs" if value is None else ("yes" if value else "no")


@dataclass(frozen=True)
class Paired(AboutTrainings):
    """The training behind `figure` against the one behind `other`, seed by seed and on the
    means: `holds(ours, theirs)` of `value` of each."""

    other: str
    value: Callable[[Evidence], float | None]
    holds: Callable[[float, float], bool]
    reading: str
    unit: str = ""

    @property
    def figures(self) -> tuple[str, ...]:
        return (self.figure, self.other)

    def row(self, facts: Facts) -> dict:
        rule = f"{RULES['seeds']}. {self.reading}"
        pairs = _pairs(facts.runs.get(self.figure, []), facts.runs.get(self.other, []),
                       self.value)
        if not pairs:
            return self.not_run(rule)
        ours, theirs = zip(*pairs)
        per_seed = [self.holds(a, b) for a, b in pairs]
        with noting() as noted:
            on_mean = self.holds(statistics.mean(ours), statistics.mean(theirs))
        measured = f"{mean_sd(list(ours))}{self.unit} against {mean_sd(list(theirs))}" \
                   f"{self.unit}; holds for {sum(per_seed)} of {len(pairs)} seeds" + \
                   _on_the_mean(noted)
        return self.row_of(measured, len(pairs),
                           verdict_over_seeds(per_seed, on_mean), rule)


def _pairs(runs: list[Evidence], others: list[Evidence], value) -> list[tuple[float, float]]:
    """(value of ours, value of theirs) for each seed both have a value for."""
    theirs = {run.seed: value(run) for run in others}
    pairs = [(value(run), theirs.get(run.seed)) for run in runs]
    return [(a, b) for a, b in pairs if a is not None and b is not None]


@dataclass(frozen=True)
class Printed(AboutTrainings):
    """A number the episode prints from the training behind `figure`: `key` of its test
    metrics (metrics.json), against the seeds (rule `printed`)."""

    key: str
    printed: float

    def row(self, facts: Facts) -> dict:
        runs = self.trainings(facts)
        if not runs:
            return self.not_run(RULES["printed"])
        values = [float(run.metrics[self.key]) for run in runs]
        return self.row_of(mean_sd(values), len(values),
                           verdict_printed(self.printed, values), RULES["printed"])


def over_seeds(grouped) -> pd.DataFrame:
    """Each group's mean, standard deviation and values (one per seed)."""
    return pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(),
                         "values": grouped.apply(list)})


def sweep_rates(runs: list[Evidence]) -> pd.DataFrame:
    """Test loss per rate: mean, standard deviation and the values, over seeds."""
    table = pd.DataFrame({"rate": [run.dropout for run in runs],
                          "test_loss": [float(run.metrics["test_loss"]) for run in runs]})
    grouped = table.groupby("rate")["test_loss"]
    return over_seeds(grouped)


@dataclass(frozen=True)
class SweepRange(AboutTrainings):
    """The range of the sweep's test loss, its lowest and highest mean against the episode's."""

    low: float
    high: float

    def row(self, facts: Facts) -> dict:
        runs = self.trainings(facts)
        if not runs:
            return self.not_run(RULES["printed"])
        rates = sweep_rates(runs)
        lowest, highest = rates["mean"].idxmin(), rates["mean"].idxmax()
        ends = [verdict_printed(self.low, rates.loc[lowest, "values"]),
                verdict_printed(self.high, rates.loc[highest, "values"])]
        verdict = CANNOT_TELL if CANNOT_TELL in ends else (HOLDS if ends == [HOLDS] * 2
                                                           else FAILS)
        return self.row_of(f"{rates.loc[lowest, 'mean']:.2f} (at {lowest:g}) to "
                           f"{rates.loc[highest, 'mean']:.2f} (at {highest:g}), means over seeds",
                           _fewest_seeds(rates), verdict,
                           f"each end, against the seeds of the rate with the lowest and with "
                           f"the highest mean test loss: {RULES['printed']}")


@dataclass(frozen=True)
class SweepLowest(AboutTrainings):
    """The rate at which the episode says the sweep's test loss is lowest."""

    rate: float

    def row(self, facts: Facts) -> dict:
        runs = self.trainings(facts)
        if not runs:
            return self.not_run(READINGS["around"])
        lowest, around, seeds, verdict = _lowest(sweep_rates(runs), self.rate)
        return self.row_of(f"lowest mean at {lowest:g}; within one SD of it: "
                           f"{', '.join(f'{rate:g}' for rate in around)}", seeds, verdict,
                           f"{READINGS['around']}; one seed: cannot tell")


def _lowest(table: pd.DataFrame, expected) -> tuple:
    """(the row of `table` with the lowest mean, those around it, the fewest seeds of a row, and
    the verdict on `expected` being around the lowest: rule `around`, one seed cannot tell)."""
    lowest = table["mean"].idxmin()
    around = _around(table, lowest)
    seeds = _fewest_seeds(table)
    verdict = CANNOT_TELL if seeds < 2 or expected not in table.index else \
        (HOLDS if expected in around else FAILS)
    return lowest, around, seeds, verdict


def _fewest_seeds(rates: pd.DataFrame) -> int:
    return min(len(values) for values in rates["values"])


def _around(rates: pd.DataFrame, lowest) -> list:
    """The rows whose mean lies within one SD of the lowest mean's row, the lowest first."""
    spread = rates.loc[lowest, "sd"]
    if pd.isna(spread):
        return [lowest]
    near = rates.index[rates["mean"] <= rates.loc[lowest, "mean"] + spread]
    return [lowest, *[rate for rate in near if rate != lowest]]


def grid_score(run: Evidence) -> float:
    """A training's score as keras_tuner scores a trial: its lowest validation loss."""
    return float(run.history["val_loss"].min())


def grid_scores(runs: list[Evidence]) -> pd.DataFrame:
    """Each grid point's score (grid_score), indexed by (model, rate): mean, standard deviation
    and the values over seeds."""
    table = pd.DataFrame({"model": [run.model for run in runs],
                          "rate": [run.dropout for run in runs],
                          "score": [grid_score(run) for run in runs]})
    grouped = table.groupby(["model", "rate"])["score"]
    return over_seeds(grouped)


@dataclass(frozen=True)
class GridBest(AboutTrainings):
    """The grid point the episode says is best (`best`: model and rate)."""

    best: tuple[str, float]
    labels: dict[str, str]  # model -> the hyperparameters it stands for

    def row(self, facts: Facts) -> dict:
        rule = f"{READINGS['best']}; one seed: cannot tell"
        runs = self.trainings(facts)
        if not runs:
            return self.not_run(rule)
        scores = grid_scores(runs)
        lowest, around, seeds, verdict = _lowest(scores, self.best)
        return self.row_of(f"lowest mean score {scores.loc[lowest, 'mean']:.4f} at "
                           f"{self.name(lowest)}; within one SD of it: "
                           f"{'; '.join(self.name(point) for point in around)}",
                           seeds, verdict, rule)

    def name(self, point: tuple[str, float]) -> str:
        model, rate = point
        return f"{self.labels.get(model, model)}, dropout_rate {rate:g}"


@dataclass(frozen=True)
class GridScore(AboutTrainings):
    """The score the episode prints for a grid point, against its seeds (rule `printed`)."""

    point: tuple[str, float]
    printed: float

    def row(self, facts: Facts) -> dict:
        runs = [run for run in self.trainings(facts) if (run.model, run.dropout) == self.point]
        if not runs:
            return self.not_run(RULES["printed"])
        values = [grid_score(run) for run in runs]
        return self.row_of(mean_sd(values), len(values),
                           verdict_printed(self.printed, values),
                           f"the point's score, its training's lowest validation loss: "
                           f"{RULES['printed']}")
