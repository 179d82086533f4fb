"""What the episode prints, next to what the code computes: parameter counts and summaries."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from keras import layers

from cnn_lesson.archive import IMAGE_BYTES, IMAGE_SHAPE
from cnn_lesson.claims import ModelFacts
from cnn_lesson.experiments import EPISODE_MODELS
from cnn_lesson.models import build_model, summary_text


_PRINTED_EXTRA = [("InputLayer", 0), ("Conv2D", 1400), ("MaxPooling2D", 0), ("Conv2D", 22550),
                  ("MaxPooling2D", 0), ("Conv2D", 22550), ("Flatten", 0), ("Dense", 40050),
                  ("Dense", 510)]
# The layers and totals the episode prints under each model, as (layer type, parameters).
EPISODE_PRINTS = {
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


def exercise_models() -> dict[str, keras.Model]:
    """The two layers of the parameter exercises, each wrapped in a model."""
    dense_in = keras.Input(shape=(IMAGE_BYTES,))
    conv_in = keras.Input(shape=IMAGE_SHAPE)
    return {
        "dense_exercise": keras.Model(dense_in, layers.Dense(100)(dense_in)),
        "conv_exercise": keras.Model(conv_in, layers.Conv2D(100, (3, 3), use_bias=False)(conv_in)),
    }


def episode_models() -> dict[str, keras.Model]:
    """Every model the parameter table covers, freshly built, exercises first."""
    built = exercise_models()
    for name, model, dropout in EPISODE_MODELS:
        built[name] = build_model(model, dropout)
    return built


def parameter_table() -> pd.DataFrame:
    """Every layer and total of every model, next to what the episode prints, and where it errs."""
    rows = []
    for name, model in episode_models().items():
        rows += _model_rows(name, model, EPISODE_PRINTS[name])
    return pd.DataFrame(rows).astype({"episode_parameters": "Int64"})


def _model_rows(name: str, model: keras.Model, printed) -> list[dict]:
    printed_layers, printed_total = printed if printed else ([], None)
    computed = [(type(layer).__name__, layer.count_params()) for layer in model.layers]
    rows = []
    for index, (kind, count) in enumerate(computed):
        episode = printed_layers[index] if index < len(printed_layers) else None
        rows.append(_row(name, index, kind, count, episode))
    rows.append(_row(name, "total", "", model.count_params(),
                     ("", printed_total) if printed else None))
    return rows


def _row(model: str, layer, kind: str, parameters: int, episode) -> dict:
    episode_kind, episode_parameters = episode if episode else ("", None)
    wrong = episode is not None and (episode_kind != kind or episode_parameters != parameters)
    return {"model": model, "layer": layer, "type": kind, "parameters": parameters,
            "episode_type": episode_kind, "episode_parameters": episode_parameters,
            "episode_wrong": wrong, "note": NOTES[model] if layer == "total" else ""}


def markdown_table(table: pd.DataFrame) -> str:
    """A table as GitHub Markdown, without extra dependencies."""
    header = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "---|" * len(table.columns)
    lines = ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.itertuples(False)]
    return "\n".join([header, rule, *lines]) + "\n"


def _cell(value) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return f"{int(value):,}"
    return str(value)


def model_summaries() -> dict[str, str]:
    """`model.summary()` of each model of the episode, each built in a fresh Keras session."""
    texts = {}
    for name, model, dropout in EPISODE_MODELS:
        keras.backend.clear_session()
        texts[name] = summary_text(build_model(model, dropout))
    return texts


def model_facts(parameters: pd.DataFrame) -> ModelFacts:
    """What the episode's claims about its models are checked against: the totals and the small
    model's layers from the parameter table (parameters.tsv, as parameter_table makes it), and
    the shapes around the small model's Flatten and the dropout model's Dropout, built anew."""
    totals = parameters[parameters["layer"].astype(str) == "total"].set_index("model")
    small = parameters[(parameters["model"] == "small")
                       & (parameters["layer"].astype(str) != "total")]
    flatten = _layer(build_model("small"), layers.Flatten)
    dropout = _layer(build_model("extra_layer", 0.8), layers.Dropout)
    return ModelFacts(
        totals={name: int(count) for name, count in totals["parameters"].items()},
        printed_totals={name: None if pd.isna(count) else int(count)
                        for name, count in totals["episode_parameters"].items()},
        small_layers=[(kind, int(count)) for kind, count in zip(small["type"],
                                                                small["parameters"])],
        small_flatten_input=tuple(flatten.input.shape[1:]),
        dropout_shapes=(tuple(dropout.input.shape[1:]), tuple(dropout.output.shape[1:])),
        dropout_parameters=dropout.count_params())


def _layer(model: keras.Model, kind: type) -> keras.layers.Layer:
    """The first layer of `model` of the type `kind`."""
    return next(layer for layer in model.layers if isinstance(layer, kind))
