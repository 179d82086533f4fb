"""The episode's convolutional networks, built from one registry with Keras 3 only."""

from __future__ import annotations

import keras
from keras import layers

from cnn_lesson.architectures import ARCHITECTURES, CONV_FILTERS, KERNEL, POOL

INPUT_SHAPE = (32, 32, 3)
N_CLASSES = 10


LAYERS = {
    "conv": lambda: layers.Conv2D(CONV_FILTERS, KERNEL, activation="relu"),
    "pool": lambda: layers.MaxPooling2D(POOL),
}


def build_model(name: str, dropout: float = 0.0,
                input_shape: tuple[int, int, int] = INPUT_SHAPE) -> keras.Model:
    """The lesson's model `name`, uncompiled; dropout > 0 adds Dropout just before Flatten,
    where the lesson's create_nn_with_dropout puts it."""
    if name not in ARCHITECTURES:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(ARCHITECTURES)}")
    architecture = ARCHITECTURES[name]
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for layer in architecture.layers:
        x = LAYERS[layer]()(x)
    if dropout > 0:
        x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    if architecture.hidden_units:
        x = layers.Dense(architecture.hidden_units, activation="relu")(x)
    outputs = layers.Dense(N_CLASSES)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name=architecture.keras_name)


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
