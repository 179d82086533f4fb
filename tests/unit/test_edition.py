"""Each edition is one module of cnn_lesson.editions that declares what cnn_lesson.edition.Edition
asks, checked as it loads; editions are found by their modules alone, and reading one starts no
Keras."""

import subprocess
import sys
import textwrap

import pytest
import yaml

import cnn_lesson.editions
from cnn_lesson import claims
from cnn_lesson.edition import (DECLARED, Edition, EditionError, Grid, History, Sweep, _load, load,
                                names)
from cnn_lesson.errors import InputError
from helpers import ROOT

TRAINING_CLAIMS = (claims.Curves, claims.Paired, claims.Printed, claims.SweepRange,
                   claims.SweepLowest, claims.GridBest, claims.GridScore)


def test_the_editions_are_the_modules_of_the_editions_package():
    found = sorted(path.stem for path in (ROOT / "src/cnn_lesson/editions").glob("*.py")
                   if not path.stem.startswith("_"))
    assert sorted(names()) == found and names()[0] == "cifar10"


@pytest.mark.parametrize("name", names())
def test_every_edition_declares_what_the_workflow_reads(name):
    edition = load(name)
    assert isinstance(edition, Edition) and edition.NAME == name
    assert edition.module == f"cnn_lesson.editions.{name}"


@pytest.mark.parametrize("name", names())
def test_an_editions_parts_name_each_other_consistently(name):
    """Its summaries' models are its models; every summary and exercise has its printed
    numbers and note; every claim about trainings reads a figure it has; its config asks for
    its own models and figures; each figure is a History, the Sweep or a Grid."""
    edition = load(name)
    assert {model for _, model, _ in edition.SUMMARIES} <= set(edition.MODELS)
    names_ = [summary for summary, _, _ in edition.SUMMARIES]
    assert set(edition.PRINTS) == set(edition.NOTES) == {"dense_exercise", "conv_exercise",
                                                          *names_}
    for claim in edition.CLAIMS:
        if isinstance(claim, TRAINING_CLAIMS):
            assert set(claim.figures) <= set(edition.FIGURES), claim.claim
    assert all(isinstance(kind, (History, Sweep, Grid)) for kind in edition.FIGURES.values())
    config = yaml.safe_load((ROOT / edition.CONFIG).read_text())
    assert config.get("edition", "cifar10") == name
    assert (ROOT / "workflow/schemas/data" / f"{name}.schema.yaml").is_file()
    for experiment in config["experiments"]:
        assert experiment["model"] in edition.MODELS
        assert experiment["figure"] in edition.FIGURES


def test_an_unknown_edition_names_the_key_and_the_choices():
    with pytest.raises(InputError, match="config key edition: 'mnist' is not an edition; "
                                         "choose one of cifar10, dollar_street_10"):
        load("mnist")


GOOD = """
from cnn_lesson.edition import History, Sweep
from cnn_lesson.npy_zip import NpyZip
from cnn_lesson import claims as c
NAME = "{name}"
TITLE = "toy"
DATA_SET = "Toy"
FOLDER = "toy"
CONFIG = "config/toy.yaml"
DATA = NpyZip("toy.zip", "a.npy", "b.npy", "c.npy", "d.npy", (8, 8, 3), ("x", "y"))
MODELS = {{"base": lambda dropout=0.0, input_shape=None: None}}
SAMPLE_FIGURE = "toy_sample"
FIGURES = {{"toy_history": History()}}
EVALUATED_FIGURE = None
def exercise_models():
    return {{}}
SUMMARIES = [("base", "base", 0.0)]
PRINTS = {{"base": None}}
NOTES = {{"base": "the toy"}}
CLAIMS = []
"""
# What a broken module changes of a good one, and the words its refusal must hold
BROKEN = [
    ("del TITLE", "does not define TITLE"),
    ("FIGURES = []", "FIGURES is a list, not a dict"),
    ("DATA = 'toy.zip'", "DATA is a str, not a DataSource"),
    ("NAME = 'other'", "NAME is 'other', not its module's name"),
    ("FIGURES = {'a': Sweep(), 'b': Sweep()}", "FIGURES holds more than one Sweep"),
    ("FIGURES = {'a': 'History'}", "FIGURES['a'] is a str, not a History, Sweep or Grid"),
    ("EVALUATED_FIGURE = 'nowhere'", "EVALUATED_FIGURE 'nowhere' is not one of FIGURES"),
    ("SUMMARIES = [('base', 'big', 0.0)]", "SUMMARIES names the model 'big', not one of MODELS"),
    ("NOTES = {}", "SUMMARIES names 'base', which PRINTS and NOTES must both hold"),
    ("CLAIMS = [c.Printed('p', 's', 'says', 'nowhere', 'test_loss', 1.0)]",
     "claim p reads the figure 'nowhere', not one of FIGURES"),
    ("CLAIMS = [c.last_dense_most('s', 'says')]",
     "claim small_last_dense_most needs the summary 'small', not in SUMMARIES"),
    ("exercise_models = 3", "exercise_models is not a function"),
]


@pytest.fixture
def editions_here(tmp_path, monkeypatch):
    """A folder searched for edition modules besides the package's own."""
    monkeypatch.setattr(cnn_lesson.editions, "__path__", [*cnn_lesson.editions.__path__,
                                                          str(tmp_path)])
    yield tmp_path
    _load.cache_clear()
    for module in [name for name in sys.modules if name.startswith("cnn_lesson.editions.toy")]:
        del sys.modules[module]


def test_a_module_of_its_own_is_an_edition(editions_here):
    (editions_here / "toy_good.py").write_text(GOOD.format(name="toy_good"))
    assert "toy_good" in names()
    assert load("toy_good").DATA_SET == "Toy"


@pytest.mark.parametrize("change,words", BROKEN, ids=[words for _, words in BROKEN])
def test_a_missing_or_wrong_name_stops_naming_it_and_the_module(editions_here, change, words):
    name = f"toy_{abs(hash(change))}"
    (editions_here / f"{name}.py").write_text(GOOD.format(name=name) + textwrap.dedent(change))
    with pytest.raises(EditionError) as refused:
        load(name)
    assert f"cnn_lesson.editions.{name}" in str(refused.value)
    assert words in str(refused.value)


def test_declared_names_are_the_typed_definitions_fields():
    assert "DATA_SET" in DECLARED and "module" not in DECLARED
    assert "EPISODE_LOADS" not in DECLARED  # optional: the toy defines none


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
    assert base_config({"edition": "mnist"}) == "config/config.yaml"  # load names it
