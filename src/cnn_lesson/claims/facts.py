"""Claims of fact about the data and the models (rule `equal`): shapes, pixel range, labels,
parameter counts, the layers of the small model and the dropout model."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cnn_lesson.claims.evidence import Facts
from cnn_lesson.claims.rules import RULES, verdict_equal
from cnn_lesson.claims.table import row


@dataclass(frozen=True)
class Fact:
    """A fact of the data or of a model: holds when `value(facts)` equals `expected`. `needs`
    names the summaries (the edition's SUMMARIES) it reads."""

    claim: str
    section: str
    says: str
    value: Callable[[Facts], object]
    expected: object
    shown: Callable[[Facts], str]
    rule: str = RULES["equal"]
    needs: tuple[str, ...] = ()

    def row(self, facts: Facts) -> dict:
        return row(self.claim, self.section, self.says, self.shown(facts), "-",
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
                "layer", needs=("small",))


def flatten_input(section: str, says: str, expected: tuple[int, ...]) -> Fact:
    return Fact("small_flatten_input", section, says,
                lambda f: tuple(f.models.small_flatten_input), expected,
                lambda f: "x".join(map(str, f.models.small_flatten_input)), needs=("small",))


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
                "parameters", needs=("dropout",))
