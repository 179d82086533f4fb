"""The lesson's plots, drawn with seaborn on figures that belong to no global pyplot state."""

from __future__ import annotations

import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure

HISTORY_PLOTS = {"accuracy": ["accuracy", "val_accuracy"], "loss": ["loss", "val_loss"]}


def history_figure(history: pd.DataFrame, metrics: list[str]) -> Figure:
    """As the lesson's `plot_history`: a seaborn line per metric against epochs."""
    figure = Figure(figsize=(6.4, 4.8))
    axes = figure.subplots()
    sns.lineplot(data=history[metrics], ax=axes)
    axes.set_xlabel("epochs")
    axes.set_ylabel("metric")
    figure.tight_layout()
    return figure


def dropout_figure(table: pd.DataFrame) -> Figure:
    """Test loss against dropout rate; with several seeds, the mean and a band of one SD."""
    figure = Figure(figsize=(6.4, 4.8))
    axes = figure.subplots()
    if table.empty:
        axes.text(0.5, 0.5, "no dropout sweep in the config\n(an experiment with several rates)",
                  ha="center", va="center", transform=axes.transAxes)
        return figure
    several_models = table["model"].nunique() > 1
    several_seeds = table["seed"].nunique() > 1
    sns.lineplot(data=table, x="dropout_rate", y="test_loss", ax=axes, marker="o",
                 hue="model" if several_models else None,
                 errorbar="sd" if several_seeds else None)
    figure.tight_layout()
    return figure
