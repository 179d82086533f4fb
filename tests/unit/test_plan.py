"""The config's experiments become trainings of its edition, with one spelling per rate and clear
errors (cnn_lesson.workflow.plan and cnn_lesson.layout)."""

import re

import pytest

from cnn_lesson.edition import load
from cnn_lesson.errors import InputError
from cnn_lesson.settings import training_images
from cnn_lesson.layout import TRAINING, dropout_label, training_folder
from cnn_lesson.workflow import plan

CIFAR10, DOLLAR_STREET = load("cifar10"), load("dollar_street_10")


def trainings_from_config(config, edition=CIFAR10):
    return plan.trainings_from_config(config, edition)


@pytest.mark.parametrize("rate, label", [(0, "0.00"), (0.8, "0.80"), (0.45, "0.45"),
                                         (0.15, "0.15"), (0.125, "0.125"), (0.3, "0.30"),
                                         (0.00001, "0.00001"), (1 / 3, "0.3333333333333333"),
                                         (-0.0, "0.00")])
def test_every_rate_has_one_spelling_in_paths_that_the_dropout_wildcard_matches(rate, label):
    assert dropout_label(rate) == label and re.fullmatch(r"0\.\d+", label)
    assert training_folder("base", rate, 1) == TRAINING.format(model="base", dropout=label,
                                                               seed=1)


def config(*experiments, seeds=(1,), n_train=5000, validation_split=0):
    return {"experiments": list(experiments), "seeds": list(seeds),
            "data": {"n_train": n_train}, "training": {"validation_split": validation_split}}


def test_every_rate_and_seed_is_one_training_in_config_order():
    runs = trainings_from_config(config({"model": "base", "dropout": [0], "epochs": 10},
                                   {"model": "extra_layer", "dropout": [0.15, 0.3], "epochs": 20},
                                   seeds=(1, 2)))
    assert [tuple(r.wildcards.values()) for r in runs] == [
        ("base", "0.00", 1), ("base", "0.00", 2), ("extra_layer", "0.15", 1),
        ("extra_layer", "0.15", 2), ("extra_layer", "0.30", 1), ("extra_layer", "0.30", 2)]
    assert [r.epochs for r in runs] == [10, 10, 20, 20, 20, 20]
    assert [r.sweep for r in runs] == [False, False, True, True, True, True]


def test_a_model_and_rate_asked_twice_names_both_keys():
    with pytest.raises(InputError, match=r"experiments\[1\].*0.80.*experiments\[0\]"):
        trainings_from_config(config({"model": "extra_layer", "dropout": [0.8], "epochs": 20},
                                {"model": "extra_layer", "dropout": [0.5, 0.80], "epochs": 5}))


def test_figures_map_to_their_trainings():
    from cnn_lesson.workflow.plan import figure_trainings

    runs = trainings_from_config(config(
        {"model": "base", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"},
        {"model": "extra_layer", "dropout": [0.2, 0.4], "epochs": 1,
         "figure": "04_vary_dropout_rate"}, seeds=(1, 2)))
    figures = figure_trainings(runs)
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
        trainings_from_config(config(*experiments))


def test_a_validation_split_that_leaves_no_image_on_one_side_names_both_keys():
    with pytest.raises(InputError, match=r"training.validation_split: 0.99 of data.n_train 10 "
                                         r"images leaves 0 to train on and 10 to validate on"):
        trainings_from_config(config({"model": "base", "dropout": [0], "epochs": 1}, n_train=10,
                                validation_split=0.99))
    assert training_images(10, 0.5) == 5 and training_images(10, 0) == 10


@pytest.mark.parametrize("experiment, message", [
    ({"model": "dense", "dropout": [0], "epochs": 1},
     r"experiments\[0\].model: 'dense' is not a model of the CIFAR-10 edition; choose one of "
     r"small, base, extra_layer"),
    ({"model": "base", "dropout": [0], "epochs": 1, "figure": "04_dense_model_training_history"},
     r"experiments\[0\].figure: '04_dense_model_training_history' is not a figure of the "
     r"CIFAR-10 edition"),
])
def test_a_model_or_figure_of_another_edition_names_the_key_and_the_choices(experiment, message):
    with pytest.raises(InputError, match=message):
        trainings_from_config(config(experiment))


def test_a_grid_spans_experiments_and_keeps_each_trainings_patience():
    runs = trainings_from_config(config(
        {"model": "grid_1", "dropout": [0.2, 0.5], "epochs": 2, "figure": "grid_search"},
        {"model": "grid_2", "dropout": [0.2], "epochs": 2, "figure": "grid_search"},
        {"model": "sweep", "dropout": [0.2, 0.4], "epochs": 30, "patience": 5,
         "figure": "04_vary_dropout_rate"}, n_train=None), DOLLAR_STREET)
    assert [(r.model, r.dropout, r.patience) for r in runs] == [
        ("grid_1", 0.2, None), ("grid_1", 0.5, None), ("grid_2", 0.2, None),
        ("sweep", 0.2, 5), ("sweep", 0.4, 5)]
    assert runs[3].folder == "sweep/dropout-0.20/seed-1"


def test_the_training_settings_carry_the_edition_patience_and_folder():
    run = trainings_from_config(config({"model": "sweep", "dropout": [0.2, 0.4], "epochs": 30,
                                   "patience": 5}, n_train=None), DOLLAR_STREET)[0]
    settings = plan.training_settings(run, {
        "edition": "dollar_street_10", "training": {"batch_size": 32, "validation_split": 0,
                                                    "validation_batch_size": None,
                                                    "backend": None}}, "recipe")
    assert (settings.edition, settings.patience, settings.name) == (
        "dollar_street_10", 5, "sweep/dropout-0.20/seed-1")
