"""Alt text for the episode's figures, computed from the table each was drawn from, and the
Markdown line that puts a figure in the episode: `![](../fig/NAME.png){alt="..."}`.

Numbers are rounded as the episode rounds them: two decimals for losses and accuracies (and the
convolution's values), rates as they are written.
"""

from __future__ import annotations

import pandas as pd

HISTORY_METRICS = {"accuracy": ("training accuracy", "validation accuracy"),
                   "loss": ("training loss", "validation loss")}


def markdown_line(name: str, alt: str) -> str:
    """The episode's own syntax for a figure beside the episode (`../fig/`)."""
    return f'![](../fig/{name}.png){{alt="{alt.replace(chr(34), chr(39))}"}}'


def sample_images(table: pd.DataFrame, data_set: str = "CIFAR-10", classes: int = 10) -> str:
    """04_cifar10 (or the edition's sample figure): the grid of training images of `data_set`,
    whose labels name `classes` categories, from its table (index, label, class_name)."""
    counts = table["class_name"].value_counts()
    common = [f"'{name}' ({count})" for name, count in counts.head(2).items()]
    side = round(len(table) ** 0.5)
    grid = f"A {side} by {side} grid" if side * side == len(table) else "A grid"
    return (f"{grid} of the first {len(table)} training images of the {data_set} data set, each "
            f"labelled with its category; {len(counts)} of the {classes} categories appear, "
            f"most often {' and '.join(common)}.")


def convolution_matrix(table: pd.DataFrame) -> str:
    """04_conv_matrix: the worked example, from its long table (matrix, row, column, value)."""
    shapes = {name: (int(part["row"].max()) + 1, int(part["column"].max()) + 1)
              for name, part in table.groupby("matrix")}
    output = table[table["matrix"] == "output"]["value"]
    return (f"Example of a convolution matrix calculation: a {_by(shapes['kernel'])} kernel slid "
            f"over a {_by(shapes['input'])} matrix gives a {_by(shapes['output'])} matrix, whose "
            f"values range from {_number(output.min())} to {_number(output.max())}.")


def convolution_image(table: pd.DataFrame) -> str:
    """04_conv_image: the kernel on a photograph, from the result's table (a row per pixel row)."""
    values = table.to_numpy()
    return (f"Convolution example on a photograph: the horizontal-edge kernel turns it into a "
            f"{values.shape[0]} by {values.shape[1]} pixel image of values from "
            f"{values.min():.2f} to {values.max():.2f}, light and dark along horizontal edges.")


def training_history(table: pd.DataFrame, metric: str, shown: str) -> str:
    """04_training_history(_loss)_N: a metric and its validation over the epochs, from the
    figure's table (a row per epoch and seed); the mean over seeds where there are several."""
    train_name, val_name = HISTORY_METRICS[metric]
    mean = table.groupby("epoch")[[metric, f"val_{metric}"]].mean()
    seeds = table["seed"].nunique() if "seed" in table else 1
    over = f", mean of {seeds} seeds" if seeds > 1 else ""
    best = mean[f"val_{metric}"].idxmin() if metric == "loss" else mean[f"val_{metric}"].idxmax()
    word = "lowest" if metric == "loss" else "highest"
    return (f"Plot of {train_name} and {val_name} vs epochs for the trained model ({shown}, "
            f"{_count(len(mean), 'epoch')}{over}): the {train_name} goes from "
            f"{mean[metric].iloc[0]:.2f} to {mean[metric].iloc[-1]:.2f}, the {val_name} from "
            f"{mean[f'val_{metric}'].iloc[0]:.2f} to {mean[f'val_{metric}'].iloc[-1]:.2f} "
            f"({word} {mean.loc[best, f'val_{metric}']:.2f}, at epoch {best}).")


def dropout_sweep(table: pd.DataFrame) -> str:
    """04_vary_dropout_rate: test loss against rate, from its table (a row per rate and seed)."""
    mean = table.groupby("dropout_rate")["test_loss"].mean()
    seeds = table.groupby("dropout_rate")["seed"].nunique().min()
    over = f" (the mean of {seeds} seeds per rate)" if seeds > 1 else ""
    return (f"Plot of test loss vs dropout rate used in the model. The test loss{over} varies "
            f"between {mean.min():.2f} and {mean.max():.2f} and is lowest with a dropout_rate "
            f"around {mean.idxmin():g}.")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _by(shape: tuple[int, int]) -> str:
    return f"{shape[0]}x{shape[1]}"


def _number(value: float) -> str:
    return f"{value:g}" if float(value).is_integer() else f"{value:.2f}"
