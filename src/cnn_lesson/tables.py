"""Gather every run's history and test metrics into the workflow's tables."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

RUN_COLUMNS = ["model", "dropout", "seed", "epochs", "parameters", "loss", "accuracy",
               "val_loss", "val_accuracy", "test_loss", "test_accuracy"]


def read_history(path: Path) -> pd.DataFrame:
    """A history table written by the train rule, indexed by epoch."""
    return pd.read_csv(path, sep="\t", index_col="epoch")


def run_row(run: dict, history: pd.DataFrame, metrics: dict) -> dict:
    """One line of runs.tsv: the run, its final-epoch metrics and its test metrics."""
    final = history.iloc[-1]
    return {"model": run["model"], "dropout": float(run["dropout"]), "seed": run["seed"],
            "epochs": len(history), "parameters": metrics["parameters"],
            **{name: final[name] for name in ("loss", "accuracy", "val_loss", "val_accuracy")},
            "test_loss": metrics["test_loss"], "test_accuracy": metrics["test_accuracy"],
            "sweep": run["sweep"]}


def runs_table(runs: list[dict], histories: list[Path], metrics: list[Path]) -> pd.DataFrame:
    """Every run, in config order, from its history TSV and its metrics JSON."""
    rows = [run_row(run, read_history(history), json.loads(Path(metric).read_text()))
            for run, history, metric in zip(runs, histories, metrics, strict=True)]
    return pd.DataFrame(rows, columns=RUN_COLUMNS + ["sweep"])


def dropout_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The dropout sweeps (experiments with several rates): test loss per model, rate and seed."""
    sweeps = runs[runs["sweep"]].rename(columns={"dropout": "dropout_rate"})
    return sweeps[["model", "dropout_rate", "seed", "test_loss", "test_accuracy"]] \
        .sort_values(["model", "dropout_rate", "seed"]).reset_index(drop=True)
