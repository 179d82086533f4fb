"""The episode's claims about its data, models and results, each checked against what a run
measured, with a verdict decided by a rule written down once.

Every verdict is one of `holds`, `does not hold` and `cannot tell`. The rules:

- A fact of the data or of a model (a shape, a parameter count) holds when the measured value
  equals the episode's.
- A number the episode prints from a training holds when it lies within the seeds' range
  widened by their standard deviation on each side; with one seed there is no spread, so
  `cannot tell`.
- A statement about trainings (a curve stagnates, one model's gap is smaller than another's)
  holds when it holds for the mean over seeds (the mean curve, the mean of the numbers) and for
  most seeds (more than half); it does not hold when it fails for the mean and for most seeds;
  otherwise, and with one seed, `cannot tell`. Two runs are compared seed by seed.

Qualitative words get a numeric reading, in READINGS. No Keras here: the models' facts come in
as plain numbers (cnn_lesson.lesson computes them).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

HOLDS, FAILS, CANNOT_TELL = "holds", "does not hold", "cannot tell"
COLUMNS = ["claim", "section", "episode_says", "measured", "seeds", "verdict", "rule"]

RULES = {
    "equal": "holds when the measured value equals the episode's",
    "printed": "holds when the episode's number lies within the seeds' range widened by one "
               "standard deviation on each side; one seed: cannot tell",
    "seeds": "holds for the mean over seeds and for most seeds; does not hold when it fails for "
             "both; else, or with one seed, cannot tell",
}
# The numeric reading of each qualitative word of the episode.
READINGS = {
    "stagnates": "a curve stagnates when its second half of the epochs improves it by at most a "
                 "quarter of what its first half did (or worsens it); needs 4 epochs",
    "increases": "the validation loss starts to increase when its last epoch is above its "
                 "lowest by more than 1%",
    "decreases": "the training loss continues to decrease when it is lower at the last epoch "
                 "than half-way",
    "much smaller": "much smaller: at most half",
    "higher": "higher: the last epoch's validation accuracy is above that without dropout",
    "speed": "does not affect training speed: the median seconds per epoch (the first, which "
             "traces the model, left out; from the trainings' logs) within 10% of those "
             "without dropout; trainings that shared the machine with different jobs compare "
             "less well",
    "around": "around the lowest: the rate with the lowest mean test loss, or one whose mean "
              "lies within one standard deviation of it",
    "best": "the best: the grid point with the lowest mean score (its training's lowest "
            "validation loss, as keras_tuner scores a trial), or one whose mean lies within "
            "one standard deviation of it",
    "keeps increasing": "the training accuracy increases when it is higher at the last epoch "
                        "than half-way",
}
STAGNATION_SHARE = 0.25
INCREASE_SHARE = 0.01
MUCH_SMALLER_SHARE = 0.5
SPEED_TOLERANCE = 0.10
MIN_EPOCHS = 4


@dataclass(frozen=True)
class Evidence:
    """What one run measured, for the claims: its history (a row per epoch) and test metrics,
    its dropout rate and seed, and the seconds of its epochs."""

    dropout: float
    seed: int
    history: pd.DataFrame
    metrics: dict
    seconds: list[float]
    model: str = ""


# ---------------------------------------------------------------------------- verdict rules

def verdict_equal(measured, expected) -> str:
    return HOLDS if measured == expected else FAILS


def verdict_printed(printed: float, values: list[float]) -> str:
    """The episode's number against the seeds' values (rule `printed`)."""
    if len(values) < 2:
        return CANNOT_TELL
    spread = statistics.stdev(values)
    return HOLDS if min(values) - spread <= printed <= max(values) + spread else FAILS


def verdict_over_seeds(per_seed: list[bool | None], on_mean: bool | None) -> str:
    """A statement about trainings, from its truth for each seed and for the mean (rule
    `seeds`); None where it cannot be decided (too few epochs)."""
    decided = [value for value in per_seed if value is not None]
    if len(per_seed) < 2 or on_mean is None or len(decided) < len(per_seed):
        return CANNOT_TELL
    most = len(per_seed) / 2
    if on_mean and sum(decided) > most:
        return HOLDS
    if not on_mean and sum(not value for value in decided) > most:
        return FAILS
    return CANNOT_TELL


# ------------------------------------------------------------------- the qualitative readings

# A verdict decided within this share of its threshold is said to be near it
NEAR_SHARE = 0.1
# What the readings compared while a claim is decided on the mean curve (see `noting`)
_noted: list[tuple[str, bool]] | None = None


@contextmanager
def noting() -> Iterator[list[tuple[str, bool]]]:
    """Collect, while in it, each reading's numbers and threshold in words, and whether the
    number came within NEAR_SHARE of its threshold: (text, near)."""
    global _noted
    saved, _noted = _noted, []
    try:
        yield _noted
    finally:
        _noted = saved


def _note(text: str, value: float | None = None, threshold: float = 0.0) -> None:
    """Note `text`; near where `value` lies within NEAR_SHARE of a `threshold` (one of 0 has no
    tenth: never near)."""
    if _noted is not None:
        near = value is not None and threshold != 0 and \
            abs(value - threshold) <= NEAR_SHARE * abs(threshold)
        _noted.append((text, near))


def stagnates(curve: pd.Series, lower_is_better: bool) -> bool | None:
    """Reading `stagnates`; None with fewer than MIN_EPOCHS epochs."""
    values = curve.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    sign = 1.0 if lower_is_better else -1.0
    middle = len(values) // 2
    first = sign * (values[0] - values[middle - 1])
    second = sign * (values[middle - 1] - values[-1])
    threshold = STAGNATION_SHARE * max(first, 0.0)
    _note(f"{curve.name}: second half improved {second:.4f} against {first:.4f} in the first "
          f"(stagnant at <= {threshold:.4f}, a quarter)",
          second / first if first > 0 else None, STAGNATION_SHARE)
    return bool(second <= threshold)


def starts_to_increase(val_loss: pd.Series) -> bool | None:
    values = val_loss.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    threshold = values.min() * (1 + INCREASE_SHARE)
    _note(f"{val_loss.name}: last {values[-1]:.4f}, lowest {values.min():.4f} (increasing "
          f"above {threshold:.4f}, +1%)", values[-1] / values.min() - 1, INCREASE_SHARE)
    return bool(values[-1] > threshold)


def continues_to_decrease(loss: pd.Series) -> bool | None:
    values = loss.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    half_way = values[len(values) // 2 - 1]
    _note(f"{loss.name}: last {values[-1]:.4f} against {half_way:.4f} half-way")
    return bool(values[-1] < half_way)


def continues_to_increase(curve: pd.Series) -> bool | None:
    values = curve.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    half_way = values[len(values) // 2 - 1]
    _note(f"{curve.name}: last {values[-1]:.4f} against {half_way:.4f} half-way")
    return bool(values[-1] > half_way)


def much_smaller(ours: float, theirs: float) -> bool:
    """Reading `much smaller`: ours at most MUCH_SMALLER_SHARE of theirs."""
    threshold = MUCH_SMALLER_SHARE * theirs
    _note(f"{ours:.4f} against {theirs:.4f} (much smaller at <= {threshold:.4f}, half)",
          ours, threshold)
    return ours <= threshold


def higher(ours: float, theirs: float) -> bool:
    """Reading `higher`: ours above theirs."""
    _note(f"{ours:.4f} against {theirs:.4f} (higher above it)", ours, theirs)
    return ours > theirs


def same_speed(ours: float, theirs: float) -> bool:
    """Reading `speed`: ours within SPEED_TOLERANCE of theirs."""
    change = ours / theirs - 1
    _note(f"{ours:.3f} s against {theirs:.3f} s, {change:+.1%} (the same within "
          f"{SPEED_TOLERANCE:.0%})", abs(change), SPEED_TOLERANCE)
    return abs(change) <= SPEED_TOLERANCE


def accuracy_gap(history: pd.DataFrame) -> float:
    """Training accuracy minus validation accuracy at the last epoch."""
    last = history.iloc[-1]
    return float(last["accuracy"] - last["val_accuracy"])


def epoch_seconds(seconds: list[float]) -> float | None:
    """The median seconds per epoch, the first (tracing) left out where there are others."""
    later = seconds[1:] or seconds
    return float(statistics.median(later)) if later else None


def mean_history(runs: list[Evidence]) -> pd.DataFrame:
    """The mean over seeds of each metric at each epoch."""
    return pd.concat([run.history for run in runs]).groupby(level=0).mean()


# ------------------------------------------------------------------------------ the claims

def _row(claim: str, section: str, says: str, measured: str, seeds: int | str, verdict: str,
         rule: str) -> dict:
    return dict(zip(COLUMNS, [claim, section, says, measured, seeds, verdict, rule]))


def _mean_sd(values: list[float], digits: int = 4) -> str:
    """'1.2345 +- 0.0123 (n=3)', or the one value."""
    if len(values) == 1:
        return f"{values[0]:.{digits}f} (n=1)"
    return f"{statistics.mean(values):.{digits}f} +- {statistics.stdev(values):.{digits}f} " \
           f"(n={len(values)})"


def stored_pixel_range(images: np.ndarray) -> tuple[int, int]:
    """The lowest and highest pixel value as the archive stores them (0-255): the prepared
    images are those divided by 255."""
    return int(np.rint(images.min() * 255)), int(np.rint(images.max() * 255))


# A training's line per epoch in its log (cnn_lesson.training.EpochLog writes it)
EPOCH_LINE = re.compile(r"  epoch (\d+)/\d+  loss \S+  val_loss \S+  (\d+(?:\.\d+)?) s$",
                        re.MULTILINE)


def seconds_per_epoch(log: str) -> list[float]:
    """The seconds of each epoch, in order, from a training's log; a training resumed after a
    kill logs some epochs again: the last time each epoch ran counts."""
    seconds = {int(epoch): float(value) for epoch, value in EPOCH_LINE.findall(log)}
    return [seconds[epoch] for epoch in sorted(seconds)]


@dataclass(frozen=True)
class DataFacts:
    """What the claims need to know of the data: shapes, pixel range and labels, as stored."""

    shape: tuple[int, ...]  # the training images'
    label_shape: tuple[int, ...]
    pixels: tuple[int, int]  # lowest and highest, 0-255
    labels: list[int]  # the distinct labels, sorted


@dataclass(frozen=True)
class ModelFacts:
    """What the claims need to know of the episode's models, as cnn_lesson.lesson finds it."""

    totals: dict[str, int]  # parameters per model (exercises included), as computed
    small_layers: list[tuple[str, int]]  # (type, parameters) of the small model's layers
    small_flatten_input: tuple[int, ...]  # the shape the small model's Flatten takes
    dropout_shapes: tuple[tuple, tuple]  # the Dropout layer's input and output shapes
    dropout_parameters: int


@dataclass(frozen=True)
class Facts:
    """Everything a claim is checked against: the data, the models, and what the runs behind
    each of the episode's figures measured (by the config's figure name)."""

    data: DataFacts
    models: ModelFacts
    runs: dict[str, list[Evidence]]


# ------------------------------------------------------ the kinds of claim an edition lists

@dataclass(frozen=True)
class Fact:
    """A fact of the data or of a model: holds when `value(facts)` equals `expected`."""

    claim: str
    section: str
    says: str
    value: Callable[[Facts], object]
    expected: object
    shown: Callable[[Facts], str]
    rule: str = RULES["equal"]

    def row(self, facts: Facts) -> dict:
        return _row(self.claim, self.section, self.says, self.shown(facts), "-",
                    verdict_equal(self.value(facts), self.expected), self.rule)


def image_shape(says: str, expected: tuple[int, ...], section: str = "1. Load data") -> Fact:
    return Fact("sample_shape", section, says, lambda f: tuple(f.data.shape), expected,
                lambda f: str(tuple(f.data.shape)))


def label_shape(says: str, expected: tuple[int, ...], section: str = "1. Load data") -> Fact:
    return Fact("label_shape", section, says, lambda f: tuple(f.data.label_shape), expected,
                lambda f: str(tuple(f.data.label_shape)))


def pixel_range(says: str, section: str = "1. Load data") -> Fact:
    return Fact("pixel_range", section, says, lambda f: tuple(f.data.pixels), (0, 255),
                lambda f: f"{f.data.pixels[0]} to {f.data.pixels[1]}")


def label_values(says: str, classes: int = 10, section: str = "1. Load data") -> Fact:
    return Fact("labels", section, says, lambda f: list(f.data.labels), list(range(classes)),
                lambda f: ", ".join(map(str, f.data.labels)))


def features(says: str, expected: int, section: str = "1. Load data") -> Fact:
    count = lambda f: int(np.prod(f.data.shape[1:]))  # noqa: E731 - a one-line reading
    return Fact("features", section, says, count, expected, lambda f: str(count(f)))


def total(claim: str, section: str, says: str, model: str, expected: int) -> Fact:
    """A model's (or an exercise's) parameter count, as the episode states it."""
    return Fact(claim, section, says, lambda f: f.models.totals[model], expected,
                lambda f: f"{f.models.totals[model]:,}")


def printed_total(model: str, printed: int) -> Fact:
    """The `Total params:` line of a model's summary."""
    return total(f"total_{model}", "model.summary()", f"Total params: {printed:,}", model,
                 printed)


def last_dense_most(section: str, says: str) -> Fact:
    """The small model's layer with the most parameters is its last Dense layer."""
    def largest(f: Facts) -> int:
        layers = f.models.small_layers
        return max(range(len(layers)), key=lambda i: layers[i][1])

    def last_dense(f: Facts) -> int:
        return max(i for i, (kind, _) in enumerate(f.models.small_layers) if kind == "Dense")

    def shown(f: Facts) -> str:
        kind, count = f.models.small_layers[largest(f)]
        return f"layer {largest(f)}, {kind}, {count:,} parameters"

    return Fact("small_last_dense_most", section, says, lambda f: largest(f) == last_dense(f),
                True, shown, "holds when the layer with the most parameters is the last Dense "
                "layer")


def flatten_input(section: str, says: str, expected: tuple[int, ...]) -> Fact:
    return Fact("small_flatten_input", section, says,
                lambda f: tuple(f.models.small_flatten_input), expected,
                lambda f: "x".join(map(str, f.models.small_flatten_input)))


def fewer_parameters(claim: str, section: str, says: str, model: str, than: str) -> Fact:
    """`model` has fewer parameters than `than`."""
    return Fact(claim, section, says,
                lambda f: f.models.totals[model] < f.models.totals[than], True,
                lambda f: f"{f.models.totals[than]:,} -> {f.models.totals[model]:,}",
                f"holds when {model} has fewer parameters than {than}")


def dropout_keeps_shape(section: str, says: str) -> Fact:
    def value(f: Facts):
        return f.models.dropout_shapes[0] == f.models.dropout_shapes[1], \
            f.models.dropout_parameters

    return Fact("dropout_shape_and_parameters", section, says, value, (True, 0),
                lambda f: f"{f.models.dropout_shapes[0]} -> {f.models.dropout_shapes[1]}, "
                          f"{f.models.dropout_parameters} parameters",
                "holds when the Dropout layer's output shape is its input's and it has no "
                "parameters")


@dataclass(frozen=True)
class Curves:
    """A statement about the curves of the training behind `figure`, over its seeds."""

    claim: str
    section: str
    says: str
    figure: str
    test: Callable[[pd.DataFrame], bool | None]
    reading: str

    def row(self, facts: Facts) -> dict:
        rule = f"{RULES['seeds']}. {self.reading}"
        runs = facts.runs.get(self.figure, [])
        if not runs:
            return _not_run(self.claim, self.section, self.says, rule)
        per_seed = [self.test(run.history) for run in runs]
        with noting() as noted:
            on_mean = self.test(mean_history(runs))
        measured = f"{sum(bool(v) for v in per_seed)} of {len(runs)} seeds, mean curve: " \
                   f"{_yes_no(on_mean)}" + _on_the_mean(noted)
        return _row(self.claim, self.section, self.says, measured, len(runs),
                    verdict_over_seeds(per_seed, on_mean), rule)


def _on_the_mean(noted: list[tuple[str, bool]]) -> str:
    """What the readings compared on the means, in brackets, and whether one came near its
    threshold."""
    text = f" ({'; '.join(words for words, _ in noted)})" if noted else ""
    return text + ("; near the threshold" if any(near for _, near in noted) else "")


def _yes_no(value: bool | None) -> str:
    return "too few epochs" if value is None else ("yes" if value else "no")


def _not_run(claim: str, section: str, says: str, rule: str) -> dict:
    return _row(claim, section, says, "not run by this config", 0, CANNOT_TELL, rule)


@dataclass(frozen=True)
class Paired:
    """The training behind `figure` against the one behind `other`, seed by seed and on the
    means: `holds(ours, theirs)` of `value` of each."""

    claim: str
    section: str
    says: str
    figure: str
    other: str
    value: Callable[[Evidence], float | None]
    holds: Callable[[float, float], bool]
    reading: str
    unit: str = ""

    def row(self, facts: Facts) -> dict:
        rule = f"{RULES['seeds']}. {self.reading}"
        pairs = _pairs(facts.runs.get(self.figure, []), facts.runs.get(self.other, []),
                       self.value)
        if not pairs:
            return _not_run(self.claim, self.section, self.says, rule)
        ours, theirs = zip(*pairs)
        per_seed = [self.holds(a, b) for a, b in pairs]
        with noting() as noted:
            on_mean = self.holds(statistics.mean(ours), statistics.mean(theirs))
        measured = f"{_mean_sd(list(ours))}{self.unit} against {_mean_sd(list(theirs))}" \
                   f"{self.unit}; holds for {sum(per_seed)} of {len(pairs)} seeds" + \
                   _on_the_mean(noted)
        return _row(self.claim, self.section, self.says, measured, len(pairs),
                    verdict_over_seeds(per_seed, on_mean), rule)


def _pairs(runs: list[Evidence], others: list[Evidence], value) -> list[tuple[float, float]]:
    """(value of ours, value of theirs) for each seed both have a value for."""
    theirs = {run.seed: value(run) for run in others}
    pairs = [(value(run), theirs.get(run.seed)) for run in runs]
    return [(a, b) for a, b in pairs if a is not None and b is not None]


def all_of(*values: bool | None) -> bool | None:
    """Whether all readings hold; None where one cannot be decided."""
    return None if any(value is None for value in values) else all(values)


@dataclass(frozen=True)
class Printed:
    """A number the episode prints from the training behind `figure`: `key` of its test
    metrics (metrics.json), against the seeds (rule `printed`)."""

    claim: str
    section: str
    says: str
    figure: str
    key: str
    printed: float

    def row(self, facts: Facts) -> dict:
        runs = facts.runs.get(self.figure, [])
        if not runs:
            return _not_run(self.claim, self.section, self.says, RULES["printed"])
        values = [float(run.metrics[self.key]) for run in runs]
        return _row(self.claim, self.section, self.says, _mean_sd(values), len(values),
                    verdict_printed(self.printed, values), RULES["printed"])


def sweep_rates(runs: list[Evidence]) -> pd.DataFrame:
    """Test loss per rate: mean, standard deviation and the values, over seeds."""
    table = pd.DataFrame({"rate": [run.dropout for run in runs],
                          "test_loss": [float(run.metrics["test_loss"]) for run in runs]})
    grouped = table.groupby("rate")["test_loss"]
    return pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(), "values": grouped.apply(list)})


@dataclass(frozen=True)
class SweepRange:
    """The range of the sweep's test loss, its lowest and highest mean against the episode's."""

    claim: str
    section: str
    says: str
    figure: str
    low: float
    high: float

    def row(self, facts: Facts) -> dict:
        runs = facts.runs.get(self.figure, [])
        if not runs:
            return _not_run(self.claim, self.section, self.says, RULES["printed"])
        rates = sweep_rates(runs)
        lowest, highest = rates["mean"].idxmin(), rates["mean"].idxmax()
        ends = [verdict_printed(self.low, rates.loc[lowest, "values"]),
                verdict_printed(self.high, rates.loc[highest, "values"])]
        verdict = CANNOT_TELL if CANNOT_TELL in ends else (HOLDS if ends == [HOLDS] * 2
                                                           else FAILS)
        return _row(self.claim, self.section, self.says,
                    f"{rates.loc[lowest, 'mean']:.2f} (at {lowest:g}) to "
                    f"{rates.loc[highest, 'mean']:.2f} (at {highest:g}), means over seeds",
                    _fewest_seeds(rates), verdict,
                    f"each end, against the seeds of the rate with the lowest and with the "
                    f"highest mean test loss: {RULES['printed']}")


@dataclass(frozen=True)
class SweepLowest:
    """The rate at which the episode says the sweep's test loss is lowest."""

    claim: str
    section: str
    says: str
    figure: str
    rate: float

    def row(self, facts: Facts) -> dict:
        runs = facts.runs.get(self.figure, [])
        if not runs:
            return _not_run(self.claim, self.section, self.says, READINGS["around"])
        lowest, around, seeds, verdict = _lowest(sweep_rates(runs), self.rate)
        return _row(self.claim, self.section, self.says,
                    f"lowest mean at {lowest:g}; within one SD of it: "
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


def grid_scores(runs: list[Evidence]) -> pd.DataFrame:
    """Each grid point's score as keras_tuner scores a trial (its training's lowest validation
    loss), indexed by (model, rate): mean, standard deviation and the values over seeds."""
    table = pd.DataFrame({"model": [run.model for run in runs],
                          "rate": [run.dropout for run in runs],
                          "score": [float(run.history["val_loss"].min()) for run in runs]})
    grouped = table.groupby(["model", "rate"])["score"]
    return pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(), "values": grouped.apply(list)})


@dataclass(frozen=True)
class GridBest:
    """The grid point the episode says is best (`best`: model and rate)."""

    claim: str
    section: str
    says: str
    figure: str
    best: tuple[str, float]
    labels: dict[str, str]  # model -> the hyperparameters it stands for

    def row(self, facts: Facts) -> dict:
        rule = f"{READINGS['best']}; one seed: cannot tell"
        runs = facts.runs.get(self.figure, [])
        if not runs:
            return _not_run(self.claim, self.section, self.says, rule)
        scores = grid_scores(runs)
        lowest, around, seeds, verdict = _lowest(scores, self.best)
        return _row(self.claim, self.section, self.says,
                    f"lowest mean score {scores.loc[lowest, 'mean']:.4f} at {self.name(lowest)}; "
                    f"within one SD of it: {'; '.join(self.name(point) for point in around)}",
                    seeds, verdict, rule)

    def name(self, point: tuple[str, float]) -> str:
        model, rate = point
        return f"{self.labels.get(model, model)}, dropout_rate {rate:g}"


@dataclass(frozen=True)
class GridScore:
    """The score the episode prints for a grid point, against its seeds (rule `printed`)."""

    claim: str
    section: str
    says: str
    figure: str
    point: tuple[str, float]
    printed: float

    def row(self, facts: Facts) -> dict:
        runs = [run for run in facts.runs.get(self.figure, [])
                if (run.model, run.dropout) == self.point]
        if not runs:
            return _not_run(self.claim, self.section, self.says, RULES["printed"])
        values = [float(run.history["val_loss"].min()) for run in runs]
        return _row(self.claim, self.section, self.says, _mean_sd(values), len(values),
                    verdict_printed(self.printed, values),
                    f"the point's score, its training's lowest validation loss: "
                    f"{RULES['printed']}")


def claims_table(claims: list, facts: Facts) -> pd.DataFrame:
    """Every checked claim of an edition, a row each, in the episode's order."""
    return pd.DataFrame([claim.row(facts) for claim in claims], columns=COLUMNS)


def verdict_counts(table: pd.DataFrame) -> str:
    """'12 hold, 2 do not hold, 5 cannot tell'."""
    counts = table["verdict"].value_counts()
    return (f"{counts.get(HOLDS, 0)} hold, {counts.get(FAILS, 0)} do not hold, "
            f"{counts.get(CANNOT_TELL, 0)} cannot tell")


def markdown(table: pd.DataFrame, edition: str) -> str:
    """The claims as a Markdown document: the counts, the table, and the readings; `edition`
    names the episode's edition ('CIFAR-10 edition (deep-learning-intro at c411bb6c)')."""
    lines = ["# The episode's claims, checked", "",
             f"Episode 4, {edition}: {verdict_counts(table)}.", "",
             "| claim | episode says | measured | seeds | verdict |", "|---|---|---|---|---|"]
    for row in table.itertuples():
        lines.append(f"| {row.claim} | {row.episode_says} ({row.section}) | {row.measured} | "
                     f"{row.seeds} | **{row.verdict}** |")
    lines += ["", "How each verdict is decided:", ""]
    lines += [f"- `{row.claim}`: {row.rule}" for row in table.itertuples()]
    return "\n".join(lines) + "\n"
