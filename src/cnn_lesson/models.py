"""Building, compiling and summarising the episode's networks, with Keras 3 only.

The networks themselves are each edition's, written as its episode writes them
(cnn_lesson.editions.cifar10, cnn_lesson.editions.dollar_street_10); each builder returns an
uncompiled model.
"""

from __future__ import annotations

import keras

from cnn_lesson.edition import DEFAULT, load


def build_model(name: str, dropout: float = 0.0, input_shape=None,
                edition: str = DEFAULT) -> keras.Model:
    """The model `edition` calls `name` (e.g. small, base, extra_layer), uncompiled; with
    `input_shape`, for images of that shape instead of the edition's."""
    models = load(edition).MODELS
    if name not in models:
        raise ValueError(f"unknown model {name!r} of {edition}; choose one of "
                         f"{', '.join(models)}")
    shape = {} if input_shape is None else {"input_shape": tuple(input_shape)}
    return models[name](dropout, **shape)


def compile_model(model: keras.Model, steps_per_execution: int = 1) -> None:
    """Compile as the lesson's `compile_model`: Adam, sparse cross-entropy on logits, accuracy.

    `steps_per_execution` runs that many batches per call into the backend: the same arithmetic
    in the same order (identical numbers), with less per-batch overhead. The PyTorch backend
    runs one batch per call only.
    """
    if keras.backend.backend() == "torch":
        steps_per_execution = 1
    model.compile(optimizer="adam",
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"], steps_per_execution=steps_per_execution)


def summary_text(model: keras.Model) -> str:
    """`model.summary()` as plain text."""
    lines: list[str] = []
    model.summary(print_fn=lambda text, **_: lines.append(text), line_length=80)
    return "\n".join(lines).rstrip() + "\n"
