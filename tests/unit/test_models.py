"""The lesson's networks, built as the lesson writes them, with the lesson's parameter counts."""

import pytest

from cnn_lesson.experiments import MODELS
from cnn_lesson.models import build_model, compile_model, summary_text

# The parameter counts of the lesson's code (not its printed typos: docs/lesson.md, errata).
PARAMETERS = {"small": 415_960, "base": 114_510, "extra_layer": 87_060}


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
