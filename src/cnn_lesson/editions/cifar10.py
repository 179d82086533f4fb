"""Episode 4 as taught in 2023: CIFAR-10 (deep-learning-intro at c411bb6c, August 2023).

Read top to bottom: where the data comes from and how it is checked, the models as the episode
writes them, what the episode prints of them, the figures made from the runs, and each claim
with the words it checks. Nothing here knows about Snakemake; Keras is imported when a model is
first built. The episode's known errata: docs/lesson.md.
"""

from __future__ import annotations

from cnn_lesson import claims as c
from cnn_lesson.archive import IMAGE_BYTES, IMAGE_SHAPE, TarArchive
from cnn_lesson.edition import History, Sweep
from cnn_lesson.lazy import keras, layers

NAME = "cifar10"
TITLE = "CIFAR-10 edition (deep-learning-intro at c411bb6c)"
DATA_SET = "CIFAR-10"
FOLDER = ""  # its results keep the paths they have always had: results/, logs/, ...
CONFIG = "config/config.yaml"
CLAIMS_CONFIG = "config/lesson_claims.yaml"  # the seeds its claims need
EPISODE_LOADS = r"keras\.datasets\.cifar10\.load_data\("  # how its episode loads the data

# ------------------------------------------------------------------------------- 1. The data
# The python archive (a gzip tar of pickled batches), read without executing it and within
# its format's bounds (cnn_lesson.archive); its md5 and SHA-256 are the config's.
DATA = TarArchive("cifar-10-python.tar.gz")

# ----------------------------------------------------------------------------- 4. The models
# A dropout rate above 0 puts Dropout(rate) just before Flatten, where the episode's
# `create_nn_with_dropout` puts it; 0 adds no layer, so the summaries match the episode's.
INPUT_SHAPE = IMAGE_SHAPE


def cifar_model_small(dropout: float = 0.0, input_shape=INPUT_SHAPE):
    """The episode's first model: two convolutions, then the ten class scores."""
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(50, (3, 3), activation="relu")(inputs)
    x = layers.Conv2D(50, (3, 3), activation="relu")(x)
    x = _dropout(x, dropout)
    x = layers.Flatten()(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model_small")


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
    return keras.Model(inputs=inputs, outputs=outputs, name="cifar_model")


def create_nn_extra_layer(dropout: float = 0.0, input_shape=INPUT_SHAPE):
    """The episode's `create_nn_extra_layer()`: `create_nn()` with a third convolution after
    the second pooling."""
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


# The workflow's names for them: a config's experiments[].model.
MODELS = {"small": cifar_model_small, "base": create_nn, "extra_layer": create_nn_extra_layer}


# ----------------------------------------------------------- what the episode prints of them
def exercise_models() -> dict:
    """The two layers of the parameter exercises, each wrapped in a model."""
    dense_in = keras.Input(shape=(IMAGE_BYTES,))
    conv_in = keras.Input(shape=IMAGE_SHAPE)
    return {
        "dense_exercise": keras.Model(dense_in, layers.Dense(100)(dense_in)),
        "conv_exercise": keras.Model(conv_in, layers.Conv2D(100, (3, 3), use_bias=False)(conv_in)),
    }


# The models the episode summarises: (name in its tables, model, dropout rate).
SUMMARIES = [("small", "small", 0.0), ("base", "base", 0.0),
             ("extra_layer", "extra_layer", 0.0), ("dropout", "extra_layer", 0.8)]
_PRINTED_EXTRA = [("InputLayer", 0), ("Conv2D", 1400), ("MaxPooling2D", 0), ("Conv2D", 22550),
                  ("MaxPooling2D", 0), ("Conv2D", 22550), ("Flatten", 0), ("Dense", 40050),
                  ("Dense", 510)]
# The layers and totals the episode prints under each model, as (layer type, parameters).
PRINTS = {
    "dense_exercise": ([("InputLayer", 0), ("Dense", 307300)], 307300),
    "conv_exercise": ([("InputLayer", 0), ("Conv2D", 2700)], 2700),
    "small": None,  # summarised in the code, no output printed
    "base": (_PRINTED_EXTRA, 87060),
    "extra_layer": (_PRINTED_EXTRA, 87060),
    "dropout": (_PRINTED_EXTRA[:6] + [("Dropout", 0)] + _PRINTED_EXTRA[6:], 87060),
}
NOTES = {
    "dense_exercise": "exercise: Dense(100) on the 3072 flattened inputs (`dim` in the episode)",
    "conv_exercise": "exercise: 100 kernels of 3x3x3 without bias (the solution states 2,700)",
    "small": "cifar_model_small: the episode shows no summary; its Flatten exercise (28x28x50) "
             "describes this model",
    "base": "create_nn(): the episode prints the summary of create_nn_extra_layer() instead",
    "extra_layer": "create_nn_extra_layer()",
    "dropout": "create_nn_with_dropout(): Dropout(0.8), which the text calls 20%",
}

# ---------------------------------------------------------------------------- the figures
# Each figure a config's experiment makes (its `figure` key), beside the sample images and the
# two drawings of a convolution that every edition has.
SAMPLE_FIGURE = "04_cifar10"
FIGURES = {
    "04_training_history_1": History(loss="04_training_history_loss_1"),
    "04_training_history_2": History(loss="04_training_history_loss_2"),
    "04_training_history_3": History(loss="04_training_history_loss_3"),
    "04_vary_dropout_rate": Sweep(),
}
# The training whose `evaluate` line the episode prints: the dropout model's.
EVALUATED_FIGURE = "04_training_history_3"

# ----------------------------------------------------------------------------- the claims
BASE, EXTRA, DROPOUT = "04_training_history_1", "04_training_history_2", "04_training_history_3"
SWEEP = "04_vary_dropout_rate"
SMALL_MODEL = "6. Convolutional network (small model)"
CLAIMS = [
    c.image_shape("train_images.shape: (5000, 32, 32, 3)", (5000, 32, 32, 3)),
    c.pixel_range("the values of the three channels range between 0 and 255"),
    c.label_values("10 classes, labels 0 to 9"),
    c.features("we have 3072 features", 3072),
    c.total("dense_exercise", "2. Parameters of a dense layer", "307300 parameters to learn",
            "dense_exercise", 307300),
    c.total("conv_exercise", "5. Parameters of a convolutional layer", "2700 weights",
            "conv_exercise", 2700),
    *(c.printed_total(name, PRINTS[name][1]) for name in ("base", "extra_layer", "dropout")),
    c.last_dense_most(SMALL_MODEL, "the last dense layer has the most parameters"),
    c.flatten_input(SMALL_MODEL, "the Flatten layer converts the 28x28x50 output", (28, 28, 50)),
    c.fewer_parameters("extra_layer_fewer_parameters", "8. Another convolutional layer",
                       "the number of parameters has decreased by adding this layer",
                       "extra_layer", "base"),
    c.dropout_keeps_shape("9. Dropout", "dropout does not alter the dimensions of the image, "
                          "and has zero parameters"),
    c.Curves("base_overfits", "7. Training (create_nn)", "the model is overfitting somewhat, "
             "because the validation accuracy and loss stagnates", BASE,
             lambda h: c.all_of(c.stagnates(h["val_loss"], True),
                                c.stagnates(h["val_accuracy"], False)),
             c.READINGS["stagnates"]),
    c.Curves("extra_layer_overfits", "9. Dropout (create_nn_extra_layer)", "the training loss "
             "continues to decrease, while the validation loss stagnates, and even starts to "
             "increase", EXTRA,
             lambda h: c.all_of(c.continues_to_decrease(h["loss"]),
                                c.stagnates(h["val_loss"], True),
                                c.starts_to_increase(h["val_loss"])),
             f"{c.READINGS['decreases']}; {c.READINGS['stagnates']}; "
             f"{c.READINGS['increases']}"),
    c.Paired("dropout_smaller_gap", "9. Dropout", "the gap between the training accuracy and "
             "validation accuracy is much smaller", DROPOUT, EXTRA,
             lambda run: c.accuracy_gap(run.history),
             c.much_smaller,
             f"the gap at the last epoch, dropout 0.8 against none; "
             f"{c.READINGS['much smaller']}"),
    c.Paired("dropout_higher_val_accuracy", "9. Dropout", "the final accuracy on the "
             "validation set is higher than without dropout", DROPOUT, EXTRA,
             lambda run: float(run.history["val_accuracy"].iloc[-1]),
             c.higher, c.READINGS["higher"]),
    c.Paired("dropout_speed", "9. Dropout", "dropout ... does not affect training speed",
             DROPOUT, EXTRA, lambda run: c.epoch_seconds(run.seconds),
             c.same_speed,
             c.READINGS["speed"], " s"),
    c.Printed("printed_loss", "9. Dropout", "313/313 - 2s - loss: 1.4683", DROPOUT,
              "test_loss", 1.4683),
    c.Printed("printed_accuracy", "9. Dropout", "313/313 - 2s - accuracy: 0.5307", DROPOUT,
              "test_accuracy", 0.5307),
    c.SweepRange("sweep_range", "Challenge: vary dropout rate",
                 "The test loss varies between 1.26 and 1.40", SWEEP, 1.26, 1.40),
    c.SweepLowest("sweep_lowest_rate", "Challenge: vary dropout rate",
                  "is lowest with a dropout_rate around 0.45", SWEEP, 0.45),
]
