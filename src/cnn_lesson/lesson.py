"""What the episode prints, next to what the code computes: parameter counts and summaries."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd
from keras import layers

from cnn_lesson.claims import ModelFacts
from cnn_lesson.edition import Edition
from cnn_lesson.models import build_model, summary_text


def episode_models(edition: Edition) -> dict[str, keras.Model]:
    """Every model the parameter table covers, freshly built, exercises first."""
    built = edition.exercise_models()
    for name, model, dropout in edition.SUMMARIES:
        built[name] = build_model(model, dropout, edition=edition.NAME)
    return built


def parameter_table(edition: Edition) -> pd.DataFrame:
    """Every layer and total of every model, next to what the episode prints, and where it errs."""
    rows = []
    for name, model in episode_models(edition).items():
        rows += _model_rows(name, model, edition.PRINTS[name], edition.NOTES[name])
    return pd.DataFrame(rows).astype({"episode_parameters": "Int64"})


def _model_rows(name: str, model: keras.Model, printed, note: str) -> list[dict]:
    printed_layers, printed_total = printed if printed else ([], None)
    computed = [(type(layer).__name__, layer.count_params()) for layer in model.layers]
    rows = []
    for index, (kind, count) in enumerate(computed):
        episode = printed_layers[index] if index < len(printed_layers) else None
        rows.append(_row(name, index, kind, count, episode, ""))
    rows.append(_row(name, "total", "", model.count_params(),
                     ("", printed_total) if printed else None, note))
    return rows


def _row(model: str, layer, kind: str, parameters: int, episode, note: str) -> dict:
    episode_kind, episode_parameters = episode if episode else ("", None)
    wrong = episode is not None and (episode_kind != kind or episode_parameters != parameters)
    return {"model": model, "layer": layer, "type": kind, "parameters": parameters,
            "episode_type": episode_kind, "episode_parameters": episode_parameters,
            "episode_wrong": wrong, "note": note}


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


def model_summaries(edition: Edition) -> dict[str, str]:
    """`model.summary()` of each model of the episode, each built in a fresh Keras session."""
    texts = {}
    for name, model, dropout in edition.SUMMARIES:
        keras.backend.clear_session()
        texts[name] = summary_text(build_model(model, dropout, edition=edition.NAME))
    return texts


def model_facts(edition: Edition, parameters: pd.DataFrame) -> ModelFacts:
    """What the episode's claims about its models are checked against: the totals and the small
    model's layers from the parameter table (parameters.tsv, as parameter_table makes it), and
    the shapes around the small model's Flatten and the dropout model's Dropout, built anew,
    where the edition summarises a model named `small` and one named `dropout` (its claims about
    them say they need them: cnn_lesson.edition checks)."""
    totals = parameters[parameters["layer"].astype(str) == "total"].set_index("model")
    small = parameters[(parameters["model"] == "small")
                       & (parameters["layer"].astype(str) != "total")]
    flatten = _layer(edition, "small", layers.Flatten)
    dropout = _layer(edition, "dropout", layers.Dropout)
    return ModelFacts(
        totals={name: int(count) for name, count in totals["parameters"].items()},
        small_layers=[(kind, int(count)) for kind, count in zip(small["type"],
                                                                small["parameters"])],
        small_flatten_input=tuple(flatten.input.shape[1:]) if flatten else None,
        dropout_shapes=(tuple(dropout.input.shape[1:]), tuple(dropout.output.shape[1:]))
        if dropout else None,
        dropout_parameters=dropout.count_params() if dropout else None)


def _layer(edition: Edition, summary: str, kind: type) -> keras.layers.Layer | None:
    """The first layer of the type `kind` of the model the edition summarises as `summary`,
    built anew; None where it summarises none by that name or the model has no such layer."""
    for name, model, rate in edition.SUMMARIES:
        if name == summary:
            built = build_model(model, rate, edition=edition.NAME)
            return next((layer for layer in built.layers if isinstance(layer, kind)), None)
    return None
