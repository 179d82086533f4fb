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
from collections.abc import Callable
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

def stagnates(curve: pd.Series, lower_is_better: bool) -> bool | None:
    """Reading `stagnates`; None with fewer than MIN_EPOCHS epochs."""
    values = curve.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    sign = 1.0 if lower_is_better else -1.0
    middle = len(values) // 2
    first = sign * (values[0] - values[middle - 1])
    second = sign * (values[middle - 1] - values[-1])
    return bool(second <= STAGNATION_SHARE * max(first, 0.0))


def starts_to_increase(val_loss: pd.Series) -> bool | None:
    values = val_loss.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    return bool(values[-1] > values.min() * (1 + INCREASE_SHARE))


def continues_to_decrease(loss: pd.Series) -> bool | None:
    values = loss.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    return bool(values[-1] < values[len(values) // 2 - 1])


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


def pixel_range(images: np.ndarray) -> tuple[int, int]:
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


def data_claims(shape: tuple[int, ...], pixels: tuple[int, int], labels: list[int]) -> list[dict]:
    """The data's shape, pixel range, labels and number of features."""
    features = int(np.prod(shape[1:]))
    section = "1. Load data"
    return [
        _row("sample_shape", section, "train_images.shape: (5000, 32, 32, 3)",
             str(tuple(shape)), "-", verdict_equal(tuple(shape), (5000, 32, 32, 3)),
             RULES["equal"]),
        _row("pixel_range", section, "the values of the three channels range between 0 and "
             "255", f"{pixels[0]} to {pixels[1]}", "-", verdict_equal(tuple(pixels), (0, 255)),
             RULES["equal"]),
        _row("labels", section, "10 classes, labels 0 to 9", ", ".join(map(str, labels)), "-",
             verdict_equal(list(labels), list(range(10))), RULES["equal"]),
        _row("features", section, "we have 3072 features", str(features), "-",
             verdict_equal(features, 3072), RULES["equal"]),
    ]


@dataclass(frozen=True)
class ModelFacts:
    """What the claims need to know of the episode's models, as cnn_lesson.lesson finds it."""

    totals: dict[str, int]  # parameters per model (exercises included), as computed
    printed_totals: dict[str, int | None]  # as the episode prints them
    small_layers: list[tuple[str, int]]  # (type, parameters) of the small model's layers
    small_flatten_input: tuple[int, ...]  # the shape the small model's Flatten takes
    dropout_shapes: tuple[tuple, tuple]  # the Dropout layer's input and output shapes
    dropout_parameters: int


def parameter_claims(facts: ModelFacts) -> list[dict]:
    """The exercises' answers, each model's printed total, and what the text says of layers."""
    rows = [
        _row("dense_exercise", "2. Parameters of a dense layer", "307300 parameters to learn",
             f"{facts.totals['dense_exercise']:,}",
             "-", verdict_equal(facts.totals["dense_exercise"], 307300), RULES["equal"]),
        _row("conv_exercise", "5. Parameters of a convolutional layer", "2700 weights",
             f"{facts.totals['conv_exercise']:,}", "-",
             verdict_equal(facts.totals["conv_exercise"], 2700), RULES["equal"]),
    ]
    for name in ("base", "extra_layer", "dropout"):
        printed = facts.printed_totals[name]
        rows.append(_row(f"total_{name}", "model.summary()", f"Total params: {printed:,}",
                         f"{facts.totals[name]:,}", "-", verdict_equal(facts.totals[name],
                                                                       printed), RULES["equal"]))
    largest = max(range(len(facts.small_layers)), key=lambda i: facts.small_layers[i][1])
    last_dense = max(i for i, (kind, _) in enumerate(facts.small_layers) if kind == "Dense")
    kind, count = facts.small_layers[largest]
    rows += [
        _row("small_last_dense_most", "6. Convolutional network (small model)",
             "the last dense layer has the most parameters",
             f"layer {largest}, {kind}, {count:,} parameters", "-",
             verdict_equal(largest, last_dense), "holds when the layer with the most "
             "parameters is the last Dense layer"),
        _row("small_flatten_input", "6. Convolutional network (small model)",
             "the Flatten layer converts the 28x28x50 output",
             "x".join(map(str, facts.small_flatten_input)), "-",
             verdict_equal(tuple(facts.small_flatten_input), (28, 28, 50)), RULES["equal"]),
        _row("extra_layer_fewer_parameters", "8. Another convolutional layer",
             "the number of parameters has decreased by adding this layer",
             f"{facts.totals['base']:,} -> {facts.totals['extra_layer']:,}", "-",
             verdict_equal(facts.totals["extra_layer"] < facts.totals["base"], True),
             "holds when extra_layer has fewer parameters than base"),
        _row("dropout_shape_and_parameters", "9. Dropout",
             "dropout does not alter the dimensions of the image, and has zero parameters",
             f"{facts.dropout_shapes[0]} -> {facts.dropout_shapes[1]}, "
             f"{facts.dropout_parameters} parameters", "-",
             verdict_equal((facts.dropout_shapes[0] == facts.dropout_shapes[1],
                            facts.dropout_parameters), (True, 0)),
             "holds when the Dropout layer's output shape is its input's and it has no "
             "parameters"),
    ]
    return rows


def _property_row(claim: str, section: str, says: str, runs: list[Evidence],
                  test: Callable[[pd.DataFrame], bool | None], reading: str) -> dict:
    """A statement about the curves of one training, over its seeds."""
    rule = f"{RULES['seeds']}. {reading}"
    if not runs:
        return _not_run(claim, section, says, rule)
    per_seed = [test(run.history) for run in runs]
    on_mean = test(mean_history(runs))
    measured = f"{sum(bool(v) for v in per_seed)} of {len(runs)} seeds, mean curve: " \
               f"{_yes_no(on_mean)}"
    return _row(claim, section, says, measured, len(runs), verdict_over_seeds(per_seed, on_mean),
                rule)


def _yes_no(value: bool | None) -> str:
    return "too few epochs" if value is None else ("yes" if value else "no")


def _not_run(claim: str, section: str, says: str, rule: str) -> dict:
    return _row(claim, section, says, "not run by this config", 0, CANNOT_TELL, rule)


def _paired_row(claim: str, section: str, says: str, runs: list[Evidence],
                others: list[Evidence], value: Callable[[Evidence], float | None],
                holds: Callable[[float, float], bool], reading: str, unit: str = "") -> dict:
    """A comparison of one training with another, seed by seed and on the means."""
    rule = f"{RULES['seeds']}. {reading}"
    pairs = _pairs(runs, others, value)
    if not pairs:
        return _not_run(claim, section, says, rule)
    ours, theirs = zip(*pairs)
    per_seed = [holds(a, b) for a, b in pairs]
    on_mean = holds(statistics.mean(ours), statistics.mean(theirs))
    measured = f"{_mean_sd(list(ours))}{unit} against {_mean_sd(list(theirs))}{unit}; holds " \
               f"for {sum(per_seed)} of {len(pairs)} seeds"
    return _row(claim, section, says, measured, len(pairs), verdict_over_seeds(per_seed, on_mean),
                rule)


def _pairs(runs: list[Evidence], others: list[Evidence], value) -> list[tuple[float, float]]:
    """(value of ours, value of theirs) for each seed both have a value for."""
    theirs = {run.seed: value(run) for run in others}
    pairs = [(value(run), theirs.get(run.seed)) for run in runs]
    return [(a, b) for a, b in pairs if a is not None and b is not None]


def training_claims(figures: dict[str, list[Evidence]]) -> list[dict]:
    """What the episode says of its trainings, from the runs behind each of its figures."""
    base = figures.get("04_training_history_1", [])
    extra = figures.get("04_training_history_2", [])
    dropout = figures.get("04_training_history_3", [])
    return [
        _property_row(
            "base_overfits", "7. Training (create_nn)", "the model is overfitting somewhat, "
            "because the validation accuracy and loss stagnates", base,
            lambda h: _all(stagnates(h["val_loss"], True), stagnates(h["val_accuracy"], False)),
            READINGS["stagnates"]),
        _property_row(
            "extra_layer_overfits", "9. Dropout (create_nn_extra_layer)", "the training loss "
            "continues to decrease, while the validation loss stagnates, and even starts to "
            "increase", extra,
            lambda h: _all(continues_to_decrease(h["loss"]), stagnates(h["val_loss"], True),
                           starts_to_increase(h["val_loss"])),
            f"{READINGS['decreases']}; {READINGS['stagnates']}; {READINGS['increases']}"),
        _paired_row(
            "dropout_smaller_gap", "9. Dropout", "the gap between the training accuracy and "
            "validation accuracy is much smaller", dropout, extra,
            lambda run: accuracy_gap(run.history),
            lambda ours, theirs: ours <= MUCH_SMALLER_SHARE * theirs,
            f"the gap at the last epoch, dropout 0.8 against none; {READINGS['much smaller']}"),
        _paired_row(
            "dropout_higher_val_accuracy", "9. Dropout", "the final accuracy on the validation "
            "set is higher than without dropout", dropout, extra,
            lambda run: float(run.history["val_accuracy"].iloc[-1]),
            lambda ours, theirs: ours > theirs, READINGS["higher"]),
        _paired_row(
            "dropout_speed", "9. Dropout", "dropout ... does not affect training speed", dropout,
            extra, lambda run: epoch_seconds(run.seconds),
            lambda ours, theirs: abs(ours / theirs - 1) <= SPEED_TOLERANCE, READINGS["speed"],
            " s"),
        *_printed_rows(dropout),
        *_sweep_rows(figures.get("04_vary_dropout_rate", [])),
    ]


def _all(*values: bool | None) -> bool | None:
    return None if any(value is None for value in values) else all(values)


PRINTED_EVALUATE = {"test_loss": 1.4683, "test_accuracy": 0.5307}


def _printed_rows(runs: list[Evidence]) -> list[dict]:
    """The dropout model's `evaluate` line: `loss: 1.4683 - accuracy: 0.5307`."""
    rows = []
    for key, printed in PRINTED_EVALUATE.items():
        name = key.removeprefix("test_")
        claim, says = f"printed_{name}", f"313/313 - 2s - {name}: {printed}"
        if not runs:
            rows.append(_not_run(claim, "9. Dropout", says, RULES["printed"]))
            continue
        values = [float(run.metrics[key]) for run in runs]
        rows.append(_row(claim, "9. Dropout", says, _mean_sd(values), len(values),
                         verdict_printed(printed, values), RULES["printed"]))
    return rows


SWEEP_SAYS = {"range": ("The test loss varies between 1.26 and 1.40", (1.26, 1.40)),
              "best": ("is lowest with a dropout_rate around 0.45", 0.45)}


def sweep_rates(runs: list[Evidence]) -> pd.DataFrame:
    """Test loss per rate: mean, standard deviation and the values, over seeds."""
    table = pd.DataFrame({"rate": [run.dropout for run in runs],
                          "test_loss": [float(run.metrics["test_loss"]) for run in runs]})
    grouped = table.groupby("rate")["test_loss"]
    return pd.DataFrame({"mean": grouped.mean(), "sd": grouped.std(), "values": grouped.apply(list)})


def _sweep_rows(runs: list[Evidence]) -> list[dict]:
    section = "Challenge: vary dropout rate"
    (range_says, (low, high)), (best_says, best_rate) = SWEEP_SAYS["range"], SWEEP_SAYS["best"]
    if not runs:
        return [_not_run("sweep_range", section, range_says, RULES["printed"]),
                _not_run("sweep_lowest_rate", section, best_says, READINGS["around"])]
    rates = sweep_rates(runs)
    lowest, highest = rates["mean"].idxmin(), rates["mean"].idxmax()
    seeds = min(len(values) for values in rates["values"])
    ends = [verdict_printed(low, rates.loc[lowest, "values"]),
            verdict_printed(high, rates.loc[highest, "values"])]
    range_verdict = CANNOT_TELL if CANNOT_TELL in ends else (HOLDS if ends == [HOLDS] * 2
                                                             else FAILS)
    around = _around(rates, lowest)
    best_verdict = CANNOT_TELL if seeds < 2 or best_rate not in rates.index else \
        (HOLDS if best_rate in around else FAILS)
    return [
        _row("sweep_range", section, range_says,
             f"{rates.loc[lowest, 'mean']:.2f} (at {lowest:g}) to {rates.loc[highest, 'mean']:.2f}"
             f" (at {highest:g}), means over seeds", seeds, range_verdict,
             f"each end, against the seeds of the rate with the lowest and with the highest mean "
             f"test loss: {RULES['printed']}"),
        _row("sweep_lowest_rate", section, best_says,
             f"lowest mean at {lowest:g}; within one SD of it: "
             f"{', '.join(f'{rate:g}' for rate in around)}", seeds, best_verdict,
             f"{READINGS['around']}; one seed: cannot tell"),
    ]


def _around(rates: pd.DataFrame, lowest: float) -> list[float]:
    """The rates whose mean test loss lies within one SD of the lowest mean, the lowest first."""
    spread = rates.loc[lowest, "sd"]
    if pd.isna(spread):
        return [lowest]
    near = rates.index[rates["mean"] <= rates.loc[lowest, "mean"] + spread]
    return [lowest, *[rate for rate in near if rate != lowest]]


def claims_table(data_rows: list[dict], parameter_rows: list[dict],
                 figures: dict[str, list[Evidence]]) -> pd.DataFrame:
    """Every checked claim of the episode, a row each, in the episode's order."""
    return pd.DataFrame([*data_rows, *parameter_rows, *training_claims(figures)],
                        columns=COLUMNS)


def verdict_counts(table: pd.DataFrame) -> str:
    """'12 hold, 2 do not hold, 5 cannot tell'."""
    counts = table["verdict"].value_counts()
    return (f"{counts.get(HOLDS, 0)} hold, {counts.get(FAILS, 0)} do not hold, "
            f"{counts.get(CANNOT_TELL, 0)} cannot tell")


def markdown(table: pd.DataFrame) -> str:
    """The claims as a Markdown document: the counts, the table, and the readings."""
    lines = ["# The episode's claims, checked", "",
             f"Episode 4, CIFAR-10 edition (deep-learning-intro at c411bb6c): "
             f"{verdict_counts(table)}.", "",
             "| claim | episode says | measured | seeds | verdict |", "|---|---|---|---|---|"]
    for row in table.itertuples():
        lines.append(f"| {row.claim} | {row.episode_says} ({row.section}) | {row.measured} | "
                     f"{row.seeds} | **{row.verdict}** |")
    lines += ["", "How each verdict is decided:", ""]
    lines += [f"- `{row.claim}`: {row.rule}" for row in table.itertuples()]
    return "\n".join(lines) + "\n"
