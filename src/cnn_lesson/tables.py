"""Gather every run's history, test metrics and environment into the workflow's tables."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

METRICS = ["loss", "accuracy", "val_loss", "val_accuracy", "test_loss", "test_accuracy"]
CHOSEN_COLUMNS = ["model", "chosen_rate", "chosen_on", "seeds", "val_loss_mean", "val_loss_sd",
                  "within_one_sd", "test_loss_mean", "test_loss_sd", "lowest_test_loss_rate",
                  "environments"]
RUN_COLUMNS = ["model", "dropout", "seed", "epochs", "parameters", "loss", "accuracy",
               "val_loss", "val_accuracy", "test_loss", "test_accuracy"]


def read_history(path: Path) -> pd.DataFrame:
    """A history table written by the train rule, indexed by epoch."""
    return pd.read_csv(path, sep="\t", index_col="epoch")


def run_row(run: dict, history: pd.DataFrame, metrics: dict) -> dict:
    """One line of runs.tsv: the run, its final-epoch metrics and its test metrics."""
    final = history.iloc[-1]
    return {"model": run["model"], "dropout": run["dropout"], "seed": run["seed"],
            "epochs": len(history), "parameters": metrics["parameters"],
            **{name: final[name] for name in ("loss", "accuracy", "val_loss", "val_accuracy")},
            "test_loss": metrics["test_loss"], "test_accuracy": metrics["test_accuracy"],
            "sweep": run["sweep"]}


def runs_table(runs: list[dict], histories: list[Path], metrics: list[Path],
               provenances: list[Path]) -> pd.DataFrame:
    """Every run, in config order, from its history TSV, metrics JSON and provenance record.

    `environment` names the environment each run was made in (provenance.environment_id); the
    fields on which the runs' environments differ (threads, a library's version, the CPU...)
    follow as columns of their own, so runs that cannot be compared digit for digit say so.
    """
    rows = [run_row(run, read_history(history), read_json(metric))
            for run, history, metric in zip(runs, histories, metrics, strict=True)]
    table = pd.DataFrame(rows, columns=RUN_COLUMNS + ["sweep"])
    records = [read_json(path) for path in provenances]
    table["environment"] = [record["environment_id"] for record in records]
    environments = pd.DataFrame([record["environment"] for record in records])
    for field in differing_fields(environments):
        table[field] = environments[field]
    return table


def differing_fields(environments: pd.DataFrame) -> list[str]:
    """The columns of `environments` (one row per run) that do not hold one value throughout."""
    return [field for field in environments if environments[field].astype(str).nunique() > 1]


def environments_table(provenances: list[Path]) -> pd.DataFrame:
    """Each environment the runs were made in, once: a row per field, a column per environment
    (most runs first), and a last row counting its runs."""
    records = [read_json(path) for path in provenances]
    # equal ids, equal environments (provenance.environment_id)
    environments = {record["environment_id"]: record["environment"] for record in records}
    counts = Counter(record["environment_id"] for record in records)
    table = pd.DataFrame({found: {**environments[found], "runs": runs}
                          for found, runs in counts.most_common()})
    return table.rename_axis("field").reset_index()


def read_json(path: Path) -> dict:
    """A JSON file's content (metrics.json, provenance.json)."""
    return json.loads(Path(path).read_text())


def dropout_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The dropout sweeps (experiments with several rates): losses per model, rate and seed."""
    sweeps = runs[runs["sweep"]].rename(columns={"dropout": "dropout_rate"})
    return sweeps[["model", "dropout_rate", "seed", "val_loss", "test_loss", "test_accuracy",
                   "environment"]] \
        .sort_values(["model", "dropout_rate", "seed"]).reset_index(drop=True)


def mean_and_sd(table: pd.DataFrame, keys: list[str], metrics: list[str]) -> pd.DataFrame:
    """Per group of `keys`: the number of seeds, each metric's mean and standard deviation, and
    how many environments the group's runs were made in (above 1, the mean mixes runs that
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


def grid_table(runs: list[dict], histories: list[pd.DataFrame],
               labels: dict[str, str]) -> pd.DataFrame:
    """A grid search, one training per point and seed, scored as keras_tuner scores a trial
    (the training's lowest validation loss): per point (model, rate), the mean and standard
    deviation of the score over seeds, best first. `labels` names each model's hyperparameters."""
    table = pd.DataFrame({"model": [run["model"] for run in runs],
                          "dropout_rate": [run["dropout"] for run in runs],
                          "score": [float(history["val_loss"].min()) for history in histories],
                          "best_epoch": [int(history["val_loss"].idxmin()) for history in histories]})
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
