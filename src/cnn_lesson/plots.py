"""The lesson's plots and its grid of sample images, drawn on figures that belong to no global
pyplot state. No Keras here: the jobs that draw them do not start TensorFlow."""

from __future__ import annotations

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

HISTORY_PLOTS = {"accuracy": ["accuracy", "val_accuracy"], "loss": ["loss", "val_loss"]}


def history_figure(history: pd.DataFrame, metrics: list[str]) -> Figure:
    """As the lesson's `plot_history`: a seaborn line per metric against epochs; with a `seed`
    column of several seeds, the mean and a band of one standard deviation."""
    figure = Figure(figsize=(6.4, 4.8))
    axes = figure.subplots()
    table = history.reset_index()
    several_seeds = "seed" in table and table["seed"].nunique() > 1
    long = table.melt(id_vars="epoch", value_vars=metrics, var_name="metric")
    # markers: a one-epoch history is one point per metric, which a bare line does not show
    sns.lineplot(data=long, x="epoch", y="value", hue="metric", ax=axes, marker="o",
                 errorbar="sd" if several_seeds else None)
    axes.get_legend().set_title(None)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_xlabel("epochs")
    axes.set_ylabel("metric")
    figure.tight_layout()
    return figure


def dropout_figure(table: pd.DataFrame, chosen: pd.DataFrame | None = None,
                   label: str | None = None) -> Figure:
    """Test loss against dropout rate; with several seeds, the mean and a band of one SD. With
    `chosen` (tables.chosen_rates), the title names each model's rate and its ties; `label`
    names the y axis in an episode's words (else `test_loss`)."""
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
    if chosen is not None:
        axes.set_title("\n".join(chosen_title(row) for row in chosen.itertuples()), fontsize=9)
    if label:
        axes.set_ylabel(label)
    figure.tight_layout()
    return figure


def chosen_title(row) -> str:
    """'extra_layer: 0.6 chosen; 0.45 within one SD' for one row of chosen_dropout.tsv."""
    ties = f"; {row.within_one_sd} within one SD" if row.within_one_sd else ""
    return f"{row.model}: {row.chosen_rate:g} chosen{ties}"


def sample_table(labels: np.ndarray, class_names: list[str], count: int = 25) -> pd.DataFrame:
    """The first `count` training labels (fewer if there are fewer) and their class names: what
    04_cifar10 shows."""
    shown = labels[:count]
    return pd.DataFrame({"index": range(len(shown)), "label": shown,
                         "class_name": [class_names[y] for y in shown]})


def sample_figure(images: np.ndarray, table: pd.DataFrame) -> Figure:
    """A 5x5 grid of the first training images, each titled with its class, as the episode
    (empty cells where there are fewer than 25)."""
    figure = Figure(figsize=(8, 8))
    for cell, axes in enumerate(figure.subplots(5, 5).ravel()):
        axes.axis("off")
        if cell < len(table):
            axes.imshow(images[table["index"].iloc[cell]])
            axes.set_title(table["class_name"].iloc[cell])
    figure.tight_layout()
    return figure
