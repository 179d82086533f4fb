"""The config's experiments become runs, with one spelling per rate and clear errors."""

import re

import pytest

from cnn_lesson.errors import InputError
from cnn_lesson.experiments import dropout_label, runs_from_config, training_images


@pytest.mark.parametrize("rate, label", [(0, "0.00"), (0.8, "0.80"), (0.45, "0.45"),
                                         (0.15, "0.15"), (0.125, "0.125"), (0.3, "0.30"),
                                         (0.00001, "0.00001"), (1 / 3, "0.3333333333333333"),
                                         (-0.0, "0.00")])
def test_every_rate_has_one_spelling_in_paths_that_the_dropout_wildcard_matches(rate, label):
    assert dropout_label(rate) == label and re.fullmatch(r"0\.\d+", label)


def config(*experiments, seeds=(1,), n_train=5000, validation_split=0):
    return {"experiments": list(experiments), "seeds": list(seeds),
            "data": {"n_train": n_train}, "training": {"validation_split": validation_split}}


def test_every_rate_and_seed_is_one_run_in_config_order():
    runs = runs_from_config(config({"model": "base", "dropout": [0], "epochs": 10},
                                   {"model": "extra_layer", "dropout": [0.15, 0.3], "epochs": 20},
                                   seeds=(1, 2)))
    assert [tuple(r.wildcards.values()) for r in runs] == [
        ("base", "0.00", 1), ("base", "0.00", 2), ("extra_layer", "0.15", 1),
        ("extra_layer", "0.15", 2), ("extra_layer", "0.30", 1), ("extra_layer", "0.30", 2)]
    assert [r.epochs for r in runs] == [10, 10, 20, 20, 20, 20]
    assert [r.sweep for r in runs] == [False, False, True, True, True, True]


def test_duplicate_runs_name_both_keys():
    with pytest.raises(InputError, match=r"experiments\[1\].*0.80.*experiments\[0\]"):
        runs_from_config(config({"model": "extra_layer", "dropout": [0.8], "epochs": 20},
                                {"model": "extra_layer", "dropout": [0.5, 0.80], "epochs": 5}))


def test_figures_map_to_their_runs():
    from cnn_lesson.experiments import figure_runs

    runs = runs_from_config(config(
        {"model": "base", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"},
        {"model": "extra_layer", "dropout": [0.2, 0.4], "epochs": 1,
         "figure": "04_vary_dropout_rate"}, seeds=(1, 2)))
    figures = figure_runs(runs)
    assert [(r.model, r.seed) for r in figures["04_training_history_1"]] == [
        ("base", 1), ("base", 2)]
    assert len(figures["04_vary_dropout_rate"]) == 4


@pytest.mark.parametrize("experiments, message", [
    ([{"model": "base", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"},
      {"model": "small", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"}],
     r"experiments\[1\].figure: 04_training_history_1 is already made by experiments\[0\]"),
    ([{"model": "base", "dropout": [0.1], "epochs": 1, "figure": "04_vary_dropout_rate"}],
     "give that experiment several rates"),
    ([{"model": "base", "dropout": [0.1, 0.2], "epochs": 1, "figure": "04_training_history_2"}],
     "give that experiment one rate"),
])
def test_figure_misuse_names_the_key(experiments, message):
    with pytest.raises(InputError, match=message):
        runs_from_config(config(*experiments))


def test_a_validation_split_that_leaves_no_image_on_one_side_names_both_keys():
    with pytest.raises(InputError, match=r"training.validation_split: 0.99 of data.n_train 10 "
                                         r"images leaves 0 to train on and 10 to validate on"):
        runs_from_config(config({"model": "base", "dropout": [0], "epochs": 1}, n_train=10,
                                validation_split=0.99))
    assert training_images(10, 0.5) == 5 and training_images(10, 0) == 10
