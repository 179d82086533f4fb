"""The episode's worked example of a convolution: a horizontal-edge kernel, computed, not drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib import cbook
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

# The lesson's kernel: high where a dark area lies below a light one.
HORIZONTAL_EDGE = np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]])
# The lesson's single-channel example: a light band above a dark one.
EXAMPLE_MATRIX = np.array([[100] * 5] * 3 + [[0] * 5] * 3)
# The window the lesson highlights (its top-left corner) and so the output cell it makes.
HIGHLIGHT = (1, 1)


def convolve(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Slide `kernel` over `image` without padding, as a Conv2D layer does (no flip)."""
    windows = np.lib.stride_tricks.sliding_window_view(image, kernel.shape)
    return np.einsum("ijkl,kl->ij", windows, kernel)


def sample_photograph(width: int = 256) -> np.ndarray:
    """A real photograph shipped with matplotlib (Grace Hopper), grey, in [0, 1], `width` wide."""
    with cbook.get_sample_data("grace_hopper.jpg") as stream:
        from matplotlib.image import imread

        rgb = imread(stream).astype(np.float64) / 255.0
    grey = rgb[..., :3] @ np.array([0.299, 0.587, 0.114])
    step = max(1, grey.shape[1] // width)
    return grey[::step, ::step]


def matrix_table(matrix: np.ndarray, kernel: np.ndarray, result: np.ndarray) -> pd.DataFrame:
    """The three matrices of the worked example as one long table (matrix, row, column, value)."""
    return pd.concat([_long(name, values) for name, values in
                      (("input", matrix), ("kernel", kernel), ("output", result))],
                     ignore_index=True)


def _long(name: str, values: np.ndarray) -> pd.DataFrame:
    rows, columns = np.indices(values.shape)
    return pd.DataFrame({"matrix": name, "row": rows.ravel(), "column": columns.ravel(),
                         "value": values.ravel()})


def matrix_figure(matrix: np.ndarray, kernel: np.ndarray, result: np.ndarray) -> Figure:
    """Input * kernel = output as grids of numbers, the highlighted window and its output cell."""
    widths = [matrix.shape[1], 1, kernel.shape[1], 1, result.shape[1]]
    figure = Figure(figsize=(sum(widths) * 0.7, matrix.shape[0] * 0.5 + 0.3))
    axes = figure.subplots(1, 5, gridspec_kw={"width_ratios": widths})
    row, column = HIGHLIGHT
    _number_grid(axes[0], matrix, (row, column, *kernel.shape))
    _symbol(axes[1], "*")
    _number_grid(axes[2], kernel, None)
    _symbol(axes[3], "=")
    _number_grid(axes[4], result, (row, column, 1, 1))
    return figure


def _number_grid(axes, values: np.ndarray, highlight) -> None:
    rows, columns = values.shape
    for (i, j), value in np.ndenumerate(values):
        axes.text(j + 0.5, i + 0.5, f"{value:g}", ha="center", va="center", fontsize=11)
    axes.set_xlim(0, columns)
    axes.set_ylim(rows, 0)
    axes.set_xticks(range(columns + 1))
    axes.set_yticks(range(rows + 1))
    axes.grid(True, color="0.6")
    axes.tick_params(length=0, labelbottom=False, labelleft=False)
    axes.set_aspect("equal")
    if highlight:
        row, column, height, width = highlight
        axes.add_patch(Rectangle((column, row), width, height, facecolor="#f8ddcc",
                                 edgecolor="red", linewidth=2, zorder=0))


def _symbol(axes, symbol: str) -> None:
    axes.text(0.5, 0.5, symbol, ha="center", va="center", fontsize=22)
    axes.axis("off")


def image_figure(photo: np.ndarray, kernel: np.ndarray, result: np.ndarray) -> Figure:
    """The photograph, the kernel and the computed convolution side by side."""
    figure = Figure(figsize=(12, 3.2))
    axes = figure.subplots(1, 5, gridspec_kw={"width_ratios": [4, 0.6, 2, 0.6, 4]})
    axes[0].imshow(photo, cmap="gray")
    axes[4].imshow(result, cmap="gray")
    for image_axes in (axes[0], axes[4]):
        image_axes.axis("off")
    _symbol(axes[1], "*")
    _number_grid(axes[2], kernel, None)
    _symbol(axes[3], "=")
    figure.tight_layout()
    return figure
