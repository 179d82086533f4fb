"""A toy edition, for the test that adds a third edition from its own module, config and data
schema only (tests/workflow/test_a_third_edition.py copies it into a clone's
src/cnn_lesson/editions/): 16x16 images of three categories, one model, a training history and a
grid search; no sweep, no small model, no dropout model, no `evaluate` line."""

from __future__ import annotations

from cnn_lesson import claims as c
from cnn_lesson.edition import Grid, History
from cnn_lesson.lazy import keras, layers
from cnn_lesson.npy_zip import NpyZip

NAME = "toy"
TITLE = "toy edition (for the tests)"
DATA_SET = "Toy"
FOLDER = "toy"
CONFIG = "config/toy.yaml"
DATA = NpyZip("toy.zip", "train_images.npy", "train_labels.npy", "test_images.npy",
              "test_labels.npy", image_shape=(16, 16, 3), class_names=("red", "green", "blue"))


def create_nn(dropout: float = 0.0, input_shape=DATA.image_shape):
    """One convolution, a Dropout where the rate is above 0, the three class scores."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(4, (3, 3), activation="relu")(inputs)
    x = layers.Dropout(dropout)(x) if dropout > 0 else x
    x = layers.Flatten()(x)
    outputs = layers.Dense(3)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="toy_model")


MODELS = {"base": create_nn}


def exercise_models() -> dict:
    return {}


SUMMARIES = [("base", "base", 0.0)]
PRINTS = {"base": None}
NOTES = {"base": "the toy's only model"}
SAMPLE_FIGURE = "toy_sample"
FIGURES = {"toy_history": History(loss="toy_history_loss"),
           "grid_search": Grid({"base": "one convolution"})}
EVALUATED_FIGURE = None
CLAIMS = [
    c.image_shape("train_images.shape: (30, 16, 16, 3)", (30, 16, 16, 3)),
    c.label_values("three categories, labels 0 to 2", classes=3),
    c.Printed("toy_accuracy", "Training", "it reaches 40% accuracy", "toy_history",
              "test_accuracy", 0.4),
    c.GridBest("grid_best", "Grid", "dropout 0.5 is best", "grid_search", ("base", 0.5),
               FIGURES["grid_search"].labels),
]
