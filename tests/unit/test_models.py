"""The lesson's networks, built as the lesson writes them, with the lesson's parameter counts."""

import pytest

from cnn_lesson.edition import load
from cnn_lesson.models import build_model, compile_model, summary_text

MODELS = list(load("cifar10").MODELS)
# The parameter counts of the lesson's code (not its printed typos: docs/lesson.md, errata).
PARAMETERS = {"small": 415_960, "base": 114_510, "extra_layer": 87_060}
# The Dollar Street 10 edition's, as its episode prints them (the sweep's and grid's: computed).
DOLLAR_STREET = {"small": 1_823_960, "base": 514_510, "dense": 617_510, "extra_layer": 137_060,
                 "dropout": 137_060, "sweep": 407_060, "grid_1": 2_404_460, "grid_2": 514_510}


@pytest.mark.parametrize("name", MODELS)
def test_every_model_the_config_can_name_has_the_lessons_parameter_count(name):
    assert build_model(name).count_params() == PARAMETERS[name]


@pytest.mark.parametrize("name", MODELS)
def test_dropout_adds_one_layer_before_flatten_and_no_parameters(name):
    model = build_model(name, dropout=0.45)
    kinds = [type(layer).__name__ for layer in model.layers]
    assert kinds.count("Dropout") == 1
    assert kinds[kinds.index("Dropout") + 1] == "Flatten"
    assert model.get_layer(index=kinds.index("Dropout")).rate == 0.45
    assert model.count_params() == PARAMETERS[name]


def test_zero_dropout_adds_no_layer_so_summaries_match_the_lesson():
    assert "Dropout" not in [type(layer).__name__ for layer in build_model("extra_layer").layers]


def test_layers_and_names_follow_the_lesson():
    model = build_model("extra_layer")
    assert model.name == "cifar_model"
    assert model.output_shape == (None, 10)
    assert model.get_layer(index=5).output.shape[1:] == (4, 4, 50)  # the third Conv2D
    assert build_model("small").name == "cifar_model_small"


def test_an_unknown_model_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="unknown model 'resnet'.*small, base, extra_layer"):
        build_model("resnet")


def test_compiled_as_the_lesson():
    model = build_model("base")
    compile_model(model)
    assert type(model.optimizer).__name__ == "Adam"
    assert model.loss.from_logits


def test_the_summary_text_holds_the_layers_and_total():
    text = summary_text(build_model("extra_layer", dropout=0.8))
    assert "Total params: 87,060" in text
    assert "Dropout" in text and text.count("Conv2D") == 3


@pytest.mark.parametrize("name", DOLLAR_STREET)
def test_every_dollar_street_model_has_its_episodes_parameter_count(name):
    model = build_model(name, 0.5 if name in ("sweep", "grid_1", "grid_2") else 0.0,
                        edition="dollar_street_10")
    assert model.count_params() == DOLLAR_STREET[name]
    assert model.input_shape == (None, 64, 64, 3)


def test_the_dollar_street_dropout_models_drop_where_the_episode_does():
    """create_nn_with_dropout(): after each of three poolings; the sweep's: after two poolings
    and the third convolution; the grid's: once, before Flatten."""
    def kinds(name, rate):
        return [type(layer).__name__ for layer in
                build_model(name, rate, edition="dollar_street_10").layers]

    assert kinds("dropout", 0.8)[1:] == ["Conv2D", "MaxPooling2D", "Dropout"] * 3 + [
        "Flatten", "Dense", "Dense"]
    assert kinds("sweep", 0.2)[1:] == ["Conv2D", "MaxPooling2D", "Dropout"] * 2 + [
        "Conv2D", "Dropout", "Flatten", "Dense", "Dense"]
    assert kinds("grid_2", 0.5)[1:] == ["Conv2D", "MaxPooling2D"] * 2 + [
        "Dropout", "Flatten", "Dense", "Dense"]
