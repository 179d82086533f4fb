"""Episode 4 as taught since 2024: Dollar Street 10 (deep-learning-intro at ebbde111, 2026-03-18).

Read top to bottom: where the data comes from and how it is checked, the models as the episode
writes them, what the episode prints of them, the figures made from the runs, and each claim
with the words it checks. Nothing here knows about Snakemake; Keras is imported when a model is
first built. Where the episode's text and its code differ, the code is followed: docs/lesson.md
lists each place (the errata of this edition).
"""

from __future__ import annotations

from functools import partial

from cnn_lesson import claims as c
from cnn_lesson.edition import Grid, History, Sweep
from cnn_lesson.lazy import keras, layers
from cnn_lesson.npy_zip import NpyZip

NAME = "dollar_street_10"
TITLE = "Dollar Street 10 edition (deep-learning-intro at ebbde111)"
DATA_SET = "Dollar Street 10"
FOLDER = "dollar-street-10"  # results/dollar-street-10/, logs/dollar-street-10/, ...
CONFIG = "config/dollar_street_10.yaml"
CLAIMS_CONFIG = "config/dollar_street_10_claims.yaml"  # the seeds its claims need
EPISODE_LOADS = r"np\.load\(.*train_images\.npy"  # how its episode loads the data

# ------------------------------------------------------------------------------- 1. The data
# Zenodo record 10970014's files-archive: a zip that Zenodo assembles on request, so its four
# files are checked, each against its md5 (data.md5, or the md5 the record publishes), not the
# zip. Read with allow_pickle=False; integer arrays of any width (the lesson wrote int32).
DATA = NpyZip("dollar-street-10.zip", "train_images.npy", "train_labels.npy",
              "test_images.npy", "test_labels.npy", image_shape=(64, 64, 3),
              class_names=("day bed", "dishrag", "plate", "running shoe", "soap dispenser",
                           "street sign", "table lamp", "tile roof", "toilet seat",
                           "washing machine"))

# ----------------------------------------------------------------------------- 4. The models
# As the episode writes them. In the models without a Dropout of their own, a rate above 0 puts
# Dropout(rate) just before Flatten, as in the CIFAR-10 edition; 0 adds no layer.
INPUT_SHAPE = DATA.image_shape


def dollar_street_model_small(dropout: float = 0.0, input_shape=INPUT_SHAPE):
    """The episode's first model: two convolutions, then the ten class scores."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model_small")


def create_nn(dropout: float = 0.0, input_shape=INPUT_SHAPE):
    """The episode's `create_nn()`: convolution and pooling twice, a hidden Dense(50)."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model")


def create_dense_model(dropout: float = 0.0, input_shape=INPUT_SHAPE):
    """The episode's `create_dense_model()`: only dense layers, for comparison."""
    inputs = keras.Input(shape=input_shape)
    x = _dropout(inputs, dropout)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.models.Model(inputs=inputs, outputs=outputs, name="dense_model")


def create_nn_extra_layer(dropout: float = 0.0, input_shape=INPUT_SHAPE):
    """The episode's `create_nn_extra_layer()`: a third convolution and pooling."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)  # extra layer
    x = layers.MaxPooling2D((2, 2))(x)  # extra layer
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="dollar_street_model")


def create_nn_with_dropout(dropout: float = 0.8, input_shape=INPUT_SHAPE):
    """The episode's `create_nn_with_dropout()`: a Dropout after each of the three poolings
    (the episode's is 0.8)."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(dropout)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="dropout_model")


def create_nn_with_dropout_rate(dropout_rate: float, input_shape=INPUT_SHAPE):
    """The sweep's `create_nn_with_dropout(dropout_rate)`: as the episode's code has it, the
    third convolution has no pooling after it, so it is not the model above (407,060
    parameters, not 137,060)."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(dropout_rate)(x)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = layers.Dropout(dropout_rate)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="dropout_model")


def create_nn_with_hp(dropout_rate: float, n_layers: int, input_shape=INPUT_SHAPE):
    """The grid search's `create_nn_with_hp(dropout_rate, n_layers)`."""
    inputs = keras.Input(shape=input_shape)
    x = inputs
    for _ in range(n_layers):
        x = layers.Conv2D(50, (3, 3), activation="relu")(x)
        x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Dropout(dropout_rate)(x)
    x = layers.Flatten()(x)
    x = layers.Dense(50, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")


def _dropout(x, rate: float):
    return layers.Dropout(rate)(x) if rate > 0 else x


# The workflow's names for them: a config's experiments[].model. The grid's points are
# (model, rate): grid_1 and grid_2 are create_nn_with_hp with n_layers 1 and 2.
MODELS = {"small": dollar_street_model_small, "base": create_nn, "dense": create_dense_model,
          "extra_layer": create_nn_extra_layer, "dropout": create_nn_with_dropout,
          "sweep": create_nn_with_dropout_rate,
          "grid_1": partial(create_nn_with_hp, n_layers=1),
          "grid_2": partial(create_nn_with_hp, n_layers=2)}


# ----------------------------------------------------------- what the episode prints of them
def exercise_models() -> dict:
    """The two layers of the parameter exercises, each wrapped in a model."""
    dense_in = keras.Input(shape=(64 * 64 * 3,))
    conv_in = keras.Input(shape=INPUT_SHAPE)
    return {
        "dense_exercise": keras.Model(dense_in, layers.Dense(100)(dense_in)),
        "conv_exercise": keras.Model(conv_in, layers.Conv2D(100, (3, 3), use_bias=False)(conv_in)),
    }


# The models the parameter table covers: (name in its tables, model, dropout rate).
SUMMARIES = [("small", "small", 0.0), ("base", "base", 0.0), ("dense", "dense", 0.0),
             ("extra_layer", "extra_layer", 0.0), ("dropout", "dropout", 0.8),
             ("sweep", "sweep", 0.8)]
_CONV, _POOL, _DROP = ("Conv2D", 22550), ("MaxPooling2D", 0), ("Dropout", 0)
_FIRST = [("InputLayer", 0), ("Conv2D", 1400), _POOL]
# The layers and totals the episode prints under each model, as (layer type, parameters).
PRINTS = {
    "dense_exercise": ([("InputLayer", 0), ("Dense", 1228900)], 1228900),
    "conv_exercise": ([("InputLayer", 0), ("Conv2D", 2700)], 2700),
    "small": ([("InputLayer", 0), ("Conv2D", 1400), ("Conv2D", 22550), ("Flatten", 0),
               ("Dense", 1800010)], 1823960),
    "base": ([*_FIRST, _CONV, _POOL, ("Flatten", 0), ("Dense", 490050), ("Dense", 510)],
             514510),
    "dense": ([("InputLayer", 0), ("Flatten", 0), ("Dense", 614450), ("Dense", 2550),
               ("Dense", 510)], 617510),
    "extra_layer": ([*_FIRST, _CONV, _POOL, _CONV, _POOL, ("Flatten", 0), ("Dense", 90050),
                     ("Dense", 510)], 137060),
    "dropout": ([*_FIRST, _DROP, _CONV, _POOL, _DROP, _CONV, _POOL, _DROP, ("Flatten", 0),
                 ("Dense", 90050), ("Dense", 510)], 137060),
    "sweep": None,  # trained in the exercise, never summarised
}
NOTES = {
    "dense_exercise": "exercise: Dense(100) on the 12288 flattened inputs",
    "conv_exercise": "exercise: 100 kernels of 3x3x3 without bias (the solution states 2,700)",
    "small": "dollar_street_model_small",
    "base": "create_nn()",
    "dense": "create_dense_model(): only dense layers",
    "extra_layer": "create_nn_extra_layer()",
    "dropout": "create_nn_with_dropout(): Dropout(0.8) after each of three poolings",
    "sweep": "the sweep's create_nn_with_dropout(dropout_rate): no pooling after the third "
             "convolution, so not the dropout model",
}

# ---------------------------------------------------------------------------- the figures
# Each figure (or table) a config's experiment makes (its `figure` key), beside the sample
# images and the two drawings of a convolution that every edition has.
SAMPLE_FIGURE = "04_dollar_street_10"
FIGURES = {
    "04_training_history_1": History(loss="04_training_history_loss_1"),
    "04_dense_model_training_history": History(),
    "04_training_history_2": History(),
    "04_training_history_3": History(),
    # the episode's y axis says val_loss: its validation data is the test split
    "04_vary_dropout_rate": Sweep(label="val_loss"),
    "grid_search": Grid({"grid_1": "n_layers 1", "grid_2": "n_layers 2"}),
}
EVALUATED_FIGURE = None  # the episode prints no `evaluate` line

# ----------------------------------------------------------------------------- the claims
BASE, DENSE = "04_training_history_1", "04_dense_model_training_history"
EXTRA, DROPOUT = "04_training_history_2", "04_training_history_3"
SWEEP, GRID = "04_vary_dropout_rate", "grid_search"
EXPLORE, SMALL_MODEL = "2. Identify inputs and outputs", "4. Convolutional Neural Network"
CLAIMS = [
    c.image_shape("train_images.shape: (878, 64, 64, 3)", (878, 64, 64, 3), EXPLORE),
    c.pixel_range("train_images.min(), train_images.max(): (0, 255)", EXPLORE),
    c.label_shape("train_labels.shape: (878,)", (878,), EXPLORE),
    c.label_values("train_labels.min(), train_labels.max(): (0, 9), 10 different classes",
                   section=EXPLORE),
    c.features("one image has 12288 features", 12288, "Number of features"),
    c.total("dense_exercise", "4. Number of parameters", "1228900 parameters",
            "dense_exercise", 1228900),
    c.total("conv_exercise", "4. Number of model parameters", "2700 weights",
            "conv_exercise", 2700),
    *(c.printed_total(name, PRINTS[name][1])
      for name in ("small", "base", "dense", "extra_layer", "dropout")),
    c.last_dense_most(SMALL_MODEL, "The last dense layer has the most parameters"),
    c.flatten_input(SMALL_MODEL, "The Flatten layer converts the 60x60x50 output", (60, 60, 50)),
    c.fewer_parameters("dense_more_parameters", "Comparison with a network with only dense "
                       "layers", "this model has more parameters than our simple CNN", "base",
                       "dense"),
    c.fewer_parameters("extra_layer_fewer_parameters", "9. Network depth",
                       "The number of parameters has decreased by adding this layer",
                       "extra_layer", "base"),
    c.dropout_keeps_shape("Dropout", "the dropout does not alter the dimensions of the image, "
                          "and has zero parameters"),
    c.Curves("base_overfits", "8. Measure performance (create_nn)", "the model is overfitting "
             "a lot, because the training accuracy increases, while the validation accuracy "
             "stagnates. Meanwhile, the training loss keeps decreasing while the validation "
             "loss actually starts increasing after a few epochs", BASE,
             lambda h: c.all_of(c.continues_to_increase(h["accuracy"]),
                                c.stagnates(h["val_accuracy"], False),
                                c.continues_to_decrease(h["loss"]),
                                c.starts_to_increase(h["val_loss"])),
             f"{c.READINGS['keeps increasing']}; {c.READINGS['stagnates']}; "
             f"{c.READINGS['decreases']}; {c.READINGS['increases']}"),
    c.Printed("dense_accuracy", "Comparison with a network with only dense layers",
              "a simple network with only dense layers reaches 18% accuracy", DENSE,
              "test_accuracy", 0.18),
    c.Curves("extra_layer_overfits", "Dropout (create_nn_extra_layer)", "the training loss "
             "continues to decrease, while the validation loss stagnates, and even starts to "
             "increase", EXTRA,
             lambda h: c.all_of(c.continues_to_decrease(h["loss"]),
                                c.stagnates(h["val_loss"], True),
                                c.starts_to_increase(h["val_loss"])),
             f"{c.READINGS['decreases']}; {c.READINGS['stagnates']}; "
             f"{c.READINGS['increases']}"),
    c.Paired("dropout_smaller_gap", "Dropout", "the gap between the training accuracy and "
             "validation accuracy is much smaller", DROPOUT, EXTRA,
             lambda run: c.accuracy_gap(run.history),
             c.much_smaller,
             f"the gap at the last epoch, the dropout model (20 epochs) against "
             f"create_nn_extra_layer (10 epochs), as the episode compares them; "
             f"{c.READINGS['much smaller']}"),
    c.Paired("dropout_higher_val_accuracy", "Dropout", "the final accuracy on the validation "
             "set is higher than without dropout", DROPOUT, EXTRA,
             lambda run: float(run.history["val_accuracy"].iloc[-1]),
             c.higher, c.READINGS["higher"]),
    c.Paired("dropout_speed", "Dropout", "dropout ... does not affect training speed",
             DROPOUT, EXTRA, lambda run: c.epoch_seconds(run.seconds),
             c.same_speed,
             c.READINGS["speed"], " s"),
    c.SweepRange("sweep_range", "Challenge: vary dropout rate",
                 "The val loss varies between 2.3 and 2.0", SWEEP, 2.0, 2.3),
    c.SweepLowest("sweep_lowest_rate", "Challenge: vary dropout rate",
                  "is lowest with a dropout_rate of 0.9", SWEEP, 0.9),
    c.GridBest("grid_best", "Hyperparameter tuning", "The model with 2 layers and a dropout "
               "rate of 0.8 is the best model", GRID, ("grid_2", 0.8),
               FIGURES[GRID].labels),
    c.GridScore("grid_best_score", "Hyperparameter tuning", "... with a validation loss of "
                "2.086", GRID, ("grid_2", 0.8), 2.086),
]
