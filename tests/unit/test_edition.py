"""Each edition is one module that declares everything the shared workflow reads, consistently,
and reading it starts no Keras (cnn_lesson.edition, cnn_lesson.editions)."""

import subprocess
import sys

import pytest
import yaml

from cnn_lesson import claims
from cnn_lesson.edition import DECLARES, EDITIONS, Grid, History, Sweep, load
from cnn_lesson.errors import InputError
from helpers import ROOT

TRAINING_CLAIMS = (claims.Curves, claims.Paired, claims.Printed, claims.SweepRange,
                   claims.SweepLowest, claims.GridBest, claims.GridScore)


@pytest.mark.parametrize("name", EDITIONS)
def test_every_edition_declares_what_the_workflow_reads(name):
    edition = load(name)
    missing = [declared for declared in DECLARES if not hasattr(edition, declared)]
    assert missing == [] and edition.NAME == name


@pytest.mark.parametrize("name", EDITIONS)
def test_an_editions_parts_name_each_other_consistently(name):
    """Its summaries' models are its models; every summary and exercise has its printed
    numbers and note; every claim about trainings reads a figure it has; its config asks for
    its own models and figures; each figure is a History, the Sweep or a Grid."""
    edition = load(name)
    assert {model for _, model, _ in edition.SUMMARIES} <= set(edition.MODELS)
    names = [summary for summary, _, _ in edition.SUMMARIES]
    assert set(edition.PRINTS) == set(edition.NOTES) == {"dense_exercise", "conv_exercise",
                                                          *names}
    for claim in edition.CLAIMS:
        if isinstance(claim, TRAINING_CLAIMS):
            assert claim.figure in edition.FIGURES, claim.claim
    assert all(isinstance(kind, (History, Sweep, Grid)) for kind in edition.FIGURES.values())
    assert sum(isinstance(kind, Sweep) for kind in edition.FIGURES.values()) == 1
    config = yaml.safe_load((ROOT / edition.CONFIG).read_text())
    assert config.get("edition", "cifar10") == name
    for experiment in config["experiments"]:
        assert experiment["model"] in edition.MODELS
        assert experiment["figure"] in edition.FIGURES


def test_an_unknown_edition_names_the_key_and_the_choices():
    with pytest.raises(InputError, match="config key edition: 'mnist' is not an edition; "
                                         "choose one of cifar10, dollar_street_10"):
        load("mnist")


def test_reading_both_editions_starts_no_keras():
    """The workflow reads the edition when it plans: Keras (and TensorFlow) only when a model
    is first built."""
    code = ("import sys; from cnn_lesson.edition import load\n"
            "for name in ('cifar10', 'dollar_street_10'): load(name).MODELS\n"
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules\n"
            "load('dollar_street_10').MODELS['base']()\n"
            "assert 'keras' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_the_base_config_is_the_named_editions():
    from cnn_lesson.workflow.config import base_config

    assert base_config({}) == "config/config.yaml"
    assert base_config({"seeds": [1, 2]}) == "config/config.yaml"
    assert base_config({"edition": "dollar_street_10"}) == "config/dollar_street_10.yaml"
    assert base_config({"edition": "mnist"}) == "config/config.yaml"  # the schema names it
