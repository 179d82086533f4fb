"""The episode's figures and numbers: computed convolutions, parameter table, sample grid."""

import numpy as np
import pandas as pd
import pytest

from cnn_lesson import convolution as conv
from cnn_lesson import lesson, plots
from cnn_lesson.edition import load

CIFAR10, DOLLAR_STREET = load("cifar10"), load("dollar_street_10")


def test_the_worked_example_is_computed():
    result = conv.convolve(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE)
    # The lesson's highlighted cell: -(100 + 100 + 100) + (0 + 0 + 0).
    assert result[conv.HIGHLIGHT] == -300
    np.testing.assert_array_equal(result, [[0, 0, 0], [-300] * 3, [-300] * 3, [0, 0, 0]])


def test_convolve_is_a_conv2d_without_flip():
    image = np.arange(16.0).reshape(4, 4)
    kernel = np.array([[0, 0, 0], [0, 0, 0], [0, 0, 1.0]])
    np.testing.assert_array_equal(conv.convolve(image, kernel), image[2:, 2:])


def test_the_photograph_ships_with_matplotlib_and_shows_horizontal_edges():
    photo = conv.sample_photograph()
    assert photo.ndim == 2 and 0 <= photo.min() and photo.max() <= 1 and photo.shape[1] >= 200
    edges = conv.convolve(photo, conv.HORIZONTAL_EDGE)
    assert edges.shape == (photo.shape[0] - 2, photo.shape[1] - 2)
    stripes = np.zeros((12, 12))
    stripes[6:] = 1
    assert np.abs(conv.convolve(stripes, conv.HORIZONTAL_EDGE)).max() == 3
    assert np.abs(conv.convolve(stripes.T, conv.HORIZONTAL_EDGE)).max() == 0


def test_matrix_table_and_figure_carry_the_computed_numbers():
    result = conv.convolve(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE)
    table = conv.matrix_table(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE, result)
    output = table[table["matrix"] == "output"]
    assert len(output) == 12 and output["value"].sum() == -1800
    figure = conv.matrix_figure(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE, result)
    texts = [t.get_text() for t in figure.axes[4].texts]
    assert texts.count("-300") == 6 and texts.count("0") == 6


@pytest.fixture(scope="module")
def parameters():
    return lesson.parameter_table(CIFAR10)


def totals(table):
    return table[table["layer"] == "total"].set_index("model")


def test_parameter_totals(parameters):
    total = totals(parameters)
    assert total.loc["dense_exercise", "parameters"] == 307_300
    assert total.loc["conv_exercise", "parameters"] == 2_700
    assert total.loc["small", "parameters"] == 415_960
    assert total.loc["base", "parameters"] == 114_510
    assert total.loc["extra_layer", "parameters"] == 87_060
    assert total.loc["dropout", "parameters"] == 87_060


def test_the_episodes_errors_are_flagged_and_nothing_else(parameters):
    total = totals(parameters)
    assert total.loc["base", "episode_parameters"] == 87_060 and total.loc["base", "episode_wrong"]
    wrong = set(parameters.loc[parameters["episode_wrong"], "model"])
    assert wrong == {"base"}
    assert "create_nn_extra_layer" in total.loc["base", "note"]
    assert pd.isna(total.loc["small", "episode_parameters"])


def test_layer_rows_sum_to_the_totals(parameters):
    layers = parameters[parameters["layer"] != "total"]
    sums = layers.groupby("model")["parameters"].sum()
    assert sums.to_dict() == totals(parameters)["parameters"].to_dict()


def test_the_parameter_table_in_markdown_shows_the_episodes_error(parameters):
    text = lesson.markdown_table(parameters)
    assert text.splitlines()[0].startswith("| model | layer | type | parameters |")
    assert "| base | total |  | 114,510 |  | 87,060 | True |" in text


def test_summaries_of_every_episode_model():
    texts = lesson.model_summaries(CIFAR10)
    assert list(texts) == [name for name, _, _ in CIFAR10.SUMMARIES]
    assert "Total params: 114,510" in texts["base"]
    assert "Dropout" in texts["dropout"] and "Dropout" not in texts["extra_layer"]
    assert '"cifar_model_small"' in texts["small"]


def test_the_dollar_street_episode_prints_every_layer_and_total_as_its_code_counts():
    """Unlike the CIFAR-10 edition's, every summary the Dollar Street 10 episode prints is its
    code's; the sweep's model is never printed, and is not the dropout model."""
    table = lesson.parameter_table(DOLLAR_STREET)
    total = totals(table)
    assert total["parameters"].to_dict() == {
        "dense_exercise": 1_228_900, "conv_exercise": 2_700, "small": 1_823_960,
        "base": 514_510, "dense": 617_510, "extra_layer": 137_060, "dropout": 137_060,
        "sweep": 407_060}
    assert not table["episode_wrong"].any()
    printed = table[table["episode_parameters"].notna()]
    assert set(printed["model"]) == set(total.index) - {"sweep"}
    assert "not the dropout model" in total.loc["sweep", "note"]


def test_the_dollar_street_summaries_name_the_episodes_models():
    texts = lesson.model_summaries(DOLLAR_STREET)
    assert '"dollar_street_model_small"' in texts["small"] and '"dense_model"' in texts["dense"]
    assert texts["dropout"].count("Dropout") == 3 and "Total params: 137,060" in texts["dropout"]
    assert texts["sweep"].count("MaxPooling2D") == 2 and "Total params: 407,060" in texts["sweep"]


def test_sample_grid_shows_25_titled_images():
    labels = np.arange(30) % 10
    names = [f"class{i}" for i in range(10)]
    table = plots.sample_table(labels, names)
    assert list(table["class_name"][:3]) == ["class0", "class1", "class2"] and len(table) == 25
    figure = plots.sample_figure(np.random.default_rng(0).random((30, 32, 32, 3)), table)
    assert [a.get_title() for a in figure.axes][:2] == ["class0", "class1"]
    assert len(figure.axes) == 25 and all(a.images for a in figure.axes)


def test_a_subsample_smaller_than_the_grid_fills_what_it_can():
    """data.n_train may be 1..50000: with 5 images the grid shows 5 and leaves 20 cells empty."""
    labels = np.arange(5)
    table = plots.sample_table(labels, [f"class{i}" for i in range(10)])
    assert list(table["index"]) == [0, 1, 2, 3, 4]
    figure = plots.sample_figure(np.random.default_rng(0).random((5, 32, 32, 3)), table)
    assert [bool(a.images) for a in figure.axes] == [True] * 5 + [False] * 20
