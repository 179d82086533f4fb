"""Gather every training's history, test metrics and environment into the workflow's tables."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from cnn_lesson.results import Trained

METRICS = ["loss", "accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy"]
CHOSEN_COLUMNS = ["model", "chosen_rate", "chosen_on", "seeds", "val_loss_mean", "val_loss_sd",
                  "within_one_sd", "test_loss_mean", "test_loss_sd", "lowest_test_loss_rate",
                  "environments"]
RUN_COLUMNS = ["model", "dropout", "seed", "epochs", "parameters", "loss", "accuracy",
               "val_loss", "val_accuracy", "test_loss", "test_accuracy"]


def run_row(found: Trained, sweep: bool) -> dict:
    """One line of runs.tsv: the training, its final-epoch metrics and its test metrics."""
    history, metrics = found.history(), found.metrics()
    final = history.iloc[-1]
    return {"model": found.model, "dropout": found.dropout, "seed": found.seed,
            "epochs": len(history), "parameters": metrics["parameters"],
            **{name: final[name] for name in ("loss", "accuracy", "val_loss", "val_accuracy")},
            "test_loss": metrics["test_loss"], "test_accuracy": metrics["test_accuracy"],
            "sweep": sweep}


def runs_table(trainings: list[Trained], sweeps: list) -> pd.DataFrame:
    """Every training of `trainings`, in their order, from its history, metrics and record;
    `sweeps` holds the points (model, rate) of the experiments of several rates.

    `environment` names the environment each was made in (provenance.environment_id); the
    fields on which the environments differ (threads, a library's version, the CPU...) follow as
    columns of their own, so trainings that cannot be compared digit for digit say so.
    """
    swept = {(model, float(rate)) for model, rate in sweeps}
    rows = [run_row(found, found.point in swept) for found in trainings]
    table = pd.DataFrame(rows, columns=RUN_COLUMNS + ["sweep"])
    records = [found.record for found in trainings]
    table["environment"] = [record["environment_id"] for record in records]
    environments = pd.DataFrame([record["environment"] for record in records])
    for field in differing_fields(environments):
        table[field] = environments[field]
    return table


def differing_fields(environments: pd.DataFrame) -> list[str]:
    """The columns of `environments` (one row per training) that do not hold one value
    throughout."""
    return [field for field in environments if environments[field].astype(str).nunique() > 1]


def environments_table(trainings: list[Trained]) -> pd.DataFrame:
    """Each environment the trainings were made in, once: a row per field, a column per
    environment (most trainings first), and a last row counting its trainings."""
    records = [found.record for found in trainings]
    # equal ids, equal environments (provenance.environment_id)
    environments = {record["environment_id"]: record["environment"] for record in records}
    counts = Counter(record["environment_id"] for record in records)
    table = pd.DataFrame({found: {**environments[found], "runs": runs}
                          for found, runs in counts.most_common()})
    return table.rename_axis("field").reset_index()


def dropout_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The dropout sweeps (experiments with several rates): losses per model, rate and seed."""
    sweeps = runs[runs["sweep"]].rename(columns={"dropout": "dropout_rate"})
    return sweeps[["model", "dropout_rate", "seed", "val_loss", "test_loss", "test_accuracy",
                   "environment"]] \
        .sort_values(["model", "dropout_rate", "seed"]).reset_index(drop=True)


def mean_and_sd(table: pd.DataFrame, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per group of `keys`: the number of seeds, each metric's mean and standard deviation, and
    how many environments the group's trainings were made in (above 1, the mean mixes ones that
    cannot be compared digit for digit)."""
    grouped = table.groupby(keys, sort=False)
    summary = grouped[metrics].agg(["mean", "std"])
    summary.columns = [f"{metric}_{'sd' if stat == 'std' else stat}"
                       for metric, stat in summary.columns]
    summary.insert(0, "seeds", grouped.size())
    summary["environments"] = grouped["environment"].nunique()
    return summary.reset_index()


def seed_means(runs: pd.DataFrame) -> pd.DataFrame:
    """runs.tsv over seeds: mean and standard deviation of every metric per model and rate."""
    return mean_and_sd(runs, ["model", "dropout", "epochs", "parameters"], METRICS)


def chosen_rates(dropout: pd.DataFrame, validation_split: float) -> pd.DataFrame:
    """Per model, the rate with the lowest mean validation loss, its test loss, and the rates
    that cannot be told apart from it: their mean validation loss lies within one standard
    deviation over seeds (the larger of the two rates') of the chosen one's. With one seed there
    is no spread, and no such rate is named."""
    summary = mean_and_sd(dropout, ["model", "dropout_rate"], ["val_loss", "test_loss"])
    rows = []
    for model, rates in summary.groupby("model", sort=False):
        chosen = rates.loc[rates["val_loss_mean"].idxmin()]
        rows.append({"model": model, "chosen_rate": chosen["dropout_rate"],
                     "chosen_on": _chosen_on(validation_split), "seeds": chosen["seeds"],
                     "val_loss_mean": chosen["val_loss_mean"],
                     "val_loss_sd": chosen["val_loss_sd"],
                     "within_one_sd": ", ".join(f"{rate:g}" for rate in _ties(rates, chosen)),
                     "test_loss_mean": chosen["test_loss_mean"],
                     "test_loss_sd": chosen["test_loss_sd"],
                     "lowest_test_loss_rate": rates.loc[rates["test_loss_mean"].idxmin(),
                                                        "dropout_rate"],
                     "environments": dropout.loc[dropout["model"] == model,
                                                 "environment"].nunique()})
    return pd.DataFrame(rows, columns=CHOSEN_COLUMNS)


def _ties(rates: pd.DataFrame, chosen: pd.Series) -> list[float]:
    """The other rates whose mean validation loss is within one SD of the chosen rate's."""
    others = rates[rates["dropout_rate"] != chosen["dropout_rate"]]
    spread = np.fmax(others["val_loss_sd"], chosen["val_loss_sd"])  # NaN with one seed
    close = others["val_loss_mean"] - chosen["val_loss_mean"] <= spread
    return sorted(others.loc[close, "dropout_rate"])


def _chosen_on(validation_split: float) -> str:
    if validation_split:
        return f"validation loss on the last {validation_split:g} of the training images"
    return "test loss (the lesson's way: its validation data is the test split)"


def grid_table(trainings: list[Trained], labels: dict[str, str]) -> pd.DataFrame:
    """A grid search, one training per point and seed, scored as keras_tuner scores a trial
    (the training's lowest validation loss): per point (model, rate), the mean and standard
    deviation of the score over seeds, best first. `labels` names each model's hyperparameters."""
    histories = [found.history() for found in trainings]
    table = pd.DataFrame({"model": [found.model for found in trainings],
                          "dropout_rate": [found.dropout for found in trainings],
                          "score": [float(history["val_loss"].min()) for history in histories],
                          "best_epoch": [int(history["val_loss"].idxmin())
                                         for history in histories]})
    grouped = table.groupby(["model", "dropout_rate"], sort=False)
    points = grouped.agg(seeds=("score", "size"), score_mean=("score", "mean"),
                         score_sd=("score", "std"), best_epoch=("best_epoch", "median"))
    points = points.reset_index().sort_values("score_mean", kind="stable")
    points.insert(1, "hyperparameters", [labels.get(model, model) for model in points["model"]])
    return points.reset_index(drop=True)


def grid_summary(table: pd.DataFrame) -> str:
    """The grid search as Markdown, best first, as keras_tuner's `results_summary()` ranks it."""
    lines = ["# Grid search: results summary", "",
             "Objective: val_loss, lowest first; a point's score is its training's lowest "
             "validation loss (mean +- sd over seeds).", "",
             "| rank | hyperparameters | dropout_rate | score | seeds |", "|---|---|---|---|---|"]
    for rank, row in enumerate(table.itertuples(), start=1):
        spread = "" if pd.isna(row.score_sd) else f" +- {row.score_sd:.4f}"
        lines.append(f"| {rank} | {row.hyperparameters} | {row.dropout_rate:g} | "
                     f"{row.score_mean:.4f}{spread} | {row.seeds} |")
    return "\n".join(lines) + "\n"
