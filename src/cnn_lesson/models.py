"""The episode's convolutional networks, written as the lesson writes them, with Keras 3 only.

Each builder returns an uncompiled model. A dropout rate above 0 puts Dropout(rate) just before
Flatten, where the lesson's `create_nn_with_dropout` puts it; 0 adds no layer, so the summaries
match the lesson's.
"""

from __future__ import annotations

import keras
from keras import layers

from cnn_lesson.archive import IMAGE_SHAPE

INPUT_SHAPE = IMAGE_SHAPE  # CIFAR-10's images


def cifar_model_small(dropout: float = 0.0, input_shape=INPUT_SHAPE) -> keras.Model:
    """The episode's first model: two convolutions, then the ten class scores."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model_small")


def create_nn(dropout: float = 0.0, input_shape=INPUT_SHAPE) -> keras.Model:
    """The lesson's `create_nn()`: convolution and pooling twice, a hidden Dense(50)."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")


def create_nn_extra_layer(dropout: float = 0.0, input_shape=INPUT_SHAPE) -> keras.Model:
    """The lesson's `create_nn_extra_layer()`: `create_nn()` with a third convolution after the
    second pooling."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")


def _dropout(x, rate: float):
    return layers.Dropout(rate)(x) if rate > 0 else x


# The workflow's names for them (cnn_lesson.experiments.MODELS lists the same, without Keras).
BUILDERS = {"small": cifar_model_small, "base": create_nn,
            "extra_layer": create_nn_extra_layer}


def build_model(name: str, dropout: float = 0.0, input_shape=INPUT_SHAPE) -> keras.Model:
    """The model the workflow calls `name` (small, base, extra_layer), uncompiled."""
    if name not in BUILDERS:
        raise ValueError(f"unknown model {name!r}; choose one of {', '.join(BUILDERS)}")
    return BUILDERS[name](dropout, input_shape)


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
