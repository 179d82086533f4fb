"""The shipped config and its schema."""

import copy
import math
import re

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from cnn_lesson.edition import load, names
from cnn_lesson.errors import InputError
from cnn_lesson.workflow.plan import planned_for, trainings_from_config
from helpers import ROOT, RUN_FOLDER, Home, snakemake, write_config

SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"
DATA_SCHEMAS = ROOT / "workflow" / "schemas" / "data"


def validate_all(config):
    """As config.smk validates a config: the schema, the edition, then its data schema."""
    validate(config, str(SCHEMA))
    load(config["edition"])
    validate(config["data"], str(DATA_SCHEMAS / f"{config['edition']}.schema.yaml"))


def runs_from_config(config):
    """The trainings of the config's edition, its data keys checked first."""
    validate_all(config)
    return trainings_from_config(config, load(config["edition"]))


def checked(config):
    """Everything config.smk checks, each refusal as the WorkflowError it stops with."""
    try:
        return runs_from_config(config)
    except InputError as error:
        raise WorkflowError(f"config: {error}") from None
# The wildcard constraints of workflow/rules/config.smk, as written there
WILDCARDS = dict(re.findall(r'^    (\w+)=r?"([^"]+)"', (
    ROOT / "workflow" / "rules" / "config.smk").read_text(), re.MULTILINE))


def shipped():
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_the_shipped_config_is_the_episode():
    config = shipped()
    runs = runs_from_config(config)
    assert [(r.model, r.dropout, r.epochs, r.figure) for r in runs] == [
        ("base", 0.0, 10, "04_training_history_1"),
        ("extra_layer", 0.0, 20, "04_training_history_2"),
        ("extra_layer", 0.8, 20, "04_training_history_3"),
        *[("extra_layer", rate, 20, "04_vary_dropout_rate")
          for rate in (0.15, 0.3, 0.45, 0.6, 0.75)]]
    assert config["data"]["n_train"] == 5000 and config["data"]["archive"] is None


def test_the_honest_dropout_config():
    config = yaml.safe_load((ROOT / "config" / "honest_dropout.yaml").read_text())
    runs = runs_from_config(config)
    assert len(runs) == 25 and {r.seed for r in runs} == {1, 2, 3, 4, 5}
    assert all(r.sweep for r in runs)
    assert 0 < config["training"]["validation_split"] < 1


def test_a_config_of_experiments_alone_gets_the_official_archive_and_the_lessons_settings():
    config = {"experiments": [{"model": "base", "dropout": [0], "epochs": 1}]}
    validate_all(config)
    data = config["data"]
    assert data["url"] == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert (data["md5"], data["n_train"], config["seeds"]) == (
        "c58f30108f718f92721af3b95e74349a", 5000, [1])
    assert config["training"] == {"batch_size": 32, "backend": None,
                                  "validation_batch_size": None, "validation_split": 0}


def test_every_key_is_described_and_no_unknown_key_passes():
    def walk(node, where):
        for key, sub in node.get("properties", {}).items():
            assert "description" in sub, f"{where}.{key} has no description"
            walk(sub, f"{where}.{key}")
        if "items" in node:
            walk(node["items"], where + "[]")
        if node.get("type") == "object" and where != "config.data":  # the edition's, below
            assert node.get("additionalProperties") is False, f"{where} accepts unknown keys"
    walk(yaml.safe_load(SCHEMA.read_text()), "config")
    for name in names():
        walk(yaml.safe_load((DATA_SCHEMAS / f"{name}.schema.yaml").read_text()), "config.data")


def test_the_schema_lists_no_edition_and_each_edition_has_its_data_schema():
    """An edition is its module's presence: the schema keeps no list of them."""
    schema = yaml.safe_load(SCHEMA.read_text())
    assert "enum" not in schema["properties"]["edition"]
    for name in names():
        assert (DATA_SCHEMAS / f"{name}.schema.yaml").is_file(), name
        assert (ROOT / load(name).CONFIG).is_file(), name


def test_values_at_the_upper_edges_are_planned():
    config = edited(["experiments", 0, "epochs"], 10_000)
    config["training"] = {"batch_size": 50_000, "validation_batch_size": 50_000}
    assert runs_from_config(config)[0].epochs == 10_000


def edited(path, value):
    config = copy.deepcopy(shipped())
    *parents, last = path
    node = config
    for key in parents:
        node = node[key]
    node[last] = value
    return config


@pytest.mark.parametrize("path, value, message", [
    (["data", "n_train"], 0, "n_train"),
    (["data", "n_train"], 50001, "n_train"),
    (["data", "n_train"], "5000", "n_train"),
    (["data", "md5"], "abc", "md5"),
    (["data", "url"], "ftp://example.org/x", "url"),
    (["data", "sha256"], "xyz", "sha256"),
    (["data", "archive"], 5, "archive"),
    (["training", "validation_split"], 1.0, "validation_split"),
    (["training", "validation_split"], -0.1, "validation_split"),
    (["training", "gpu"], 1, "gpu"),  # how to run: the rules and profiles say it
    (["training", "threads"], 2, "threads"),
    (["experiments"], [], "experiments"),
    (["experiments", 0, "dropout"], [], "dropout"),
    (["experiments", 0, "dropout"], ["0.5"], "dropout"),
    (["experiments", 0, "figure"], "04_training_history_9", "figure"),
    (["seeds"], [], "seeds"),
    (["seeds"], [-1], "seeds"),
    (["seeds"], [4294967296], "seeds"),  # beyond Keras' seeds
    (["seeds"], "1", "seeds"),
    (["resutls"], {}, "resutls"),
    (["data", "typo"], 1, "typo"),
    (["experiments", 0, "model"], "vgg", "model"),
    (["experiments", 0, "epochs"], 0, "epochs"),
    (["experiments", 0, "dropout"], [1.0], "dropout"),
    (["experiments", 0, "dropout"], [-0.1], "dropout"),
    (["experiments", 0, "dropout"], [0.2, 0.2], "dropout"),
    (["experiments", 0, "learning_rate"], 0.1, "learning_rate"),
    (["seeds"], [1, 1], "seeds"),
    (["training", "batch_size"], 0, "batch_size"),
    # one past each upper edge the schema sets
    (["experiments", 0, "epochs"], 10_001, "epochs"),
    (["training", "batch_size"], 50_001, "batch_size"),
    (["training", "validation_batch_size"], 50_001, "validation_batch_size"),
])
def test_invalid_values_are_named(path, value, message):
    with pytest.raises(WorkflowError, match=re.escape(message)):
        checked(edited(path, value))


# Generated configs: every number a YAML file can hold, in every numeric key. Whatever the schema
# and the workflow's own checks accept must be planned: paths its wildcards match, one run per
# folder, the rate read back from the folder name.
scalars = st.one_of(st.floats(), st.floats(0, 1), st.integers(-2, 12), st.integers(-2**70, 2**70),
                    st.booleans(), st.none(), st.text(max_size=3))
NUMERIC_KEYS = ["dropout", "epochs", "seeds", "n_train", "validation_split", "batch_size",
                "validation_batch_size"]


@settings(max_examples=400, deadline=None)
@given(rates=st.lists(scalars, min_size=1, max_size=4), epochs=scalars,
       seeds=st.lists(scalars, min_size=1, max_size=3), n_train=scalars, split=scalars,
       batch=scalars, validation_batch=scalars)
def test_every_number_the_checks_accept_is_planned_and_every_other_refused_by_key(
        rates, epochs, seeds, n_train, split, batch, validation_batch):
    config = {"experiments": [{"model": "extra_layer", "dropout": rates, "epochs": epochs}],
              "seeds": seeds, "data": {"n_train": n_train},
              "training": {"validation_split": split, "batch_size": batch,
                           "validation_batch_size": validation_batch}}
    try:
        runs = runs_from_config(config)
    except WorkflowError as error:  # the schema's message quotes the key's path
        assert any(f"'{key}'" in str(error) for key in NUMERIC_KEYS), error
        return
    except InputError as error:
        assert str(error).startswith("config key ")
        assert any(key in str(error).split(":")[0] for key in NUMERIC_KEYS), error
        return
    folders = [f"extra_layer/dropout-{run.wildcards['dropout']}/seed-{run.seed}" for run in runs]
    assert len(set(folders)) == len(runs) == len(rates) * len(seeds)
    for run, folder in zip(runs, folders):
        label = run.wildcards["dropout"]
        assert re.fullmatch(WILDCARDS["dropout"], label) and re.fullmatch(r"\d+", str(run.seed))
        assert len(f"dropout-{label}") <= 255 and float(label) == run.dropout
        assert planned_for(runs, run.model, label, run.seed) == run
        assert 1 <= run.epochs <= 10_000 and math.isfinite(run.dropout)


def test_the_dollar_street_config_is_its_episode():
    """config/dollar_street_10.yaml, complete on its own: every run the episode trains, with
    its epochs, the sweep's early stopping and the grid's points."""
    config = yaml.safe_load((ROOT / "config" / "dollar_street_10.yaml").read_text())
    runs = runs_from_config(config)
    assert config["data"]["url"] == "https://zenodo.org/api/records/10970014/files-archive"
    assert config["data"]["record"] == "https://zenodo.org/api/records/10970014"
    assert config["data"]["md5"] is None and config["data"]["n_train"] is None
    found = {(r.model, r.dropout): (r.epochs, r.patience, r.figure) for r in runs}
    assert found[("base", 0.0)] == (10, None, "04_training_history_1")
    assert found[("dense", 0.0)] == (20, None, "04_dense_model_training_history")
    assert found[("extra_layer", 0.0)] == (10, None, "04_training_history_2")
    assert found[("dropout", 0.8)] == (20, None, "04_training_history_3")
    assert [r.dropout for r in runs if r.model == "sweep"] == [0.2, 0.4, 0.6, 0.8, 0.9, 0.95]
    assert {found[("sweep", 0.9)]} == {(30, 5, "04_vary_dropout_rate")}
    grid = sorted((r.model, r.dropout) for r in runs if r.figure == "grid_search")
    assert grid == [(f"grid_{n}", rate) for n in (1, 2) for rate in (0.2, 0.5, 0.8)]
    claims = yaml.safe_load((ROOT / "config" / "dollar_street_10_claims.yaml").read_text())
    assert claims["edition"] == "dollar_street_10" and len(claims["seeds"]) >= 3


@pytest.mark.parametrize("md5, message", [
    ({"train_images.npy": "0" * 32}, "required property"),
    ({name: "xyz" for name in ("train_images.npy", "train_labels.npy", "test_images.npy",
                               "test_labels.npy")}, "does not match"),
    ("0" * 32, "is not of type"),
])
def test_the_dollar_street_md5_must_name_each_file(md5, message):
    config = yaml.safe_load((ROOT / "config" / "dollar_street_10.yaml").read_text())
    config["data"]["md5"] = md5
    with pytest.raises(WorkflowError, match=message):
        checked(config)


def test_a_cifar10_key_in_the_dollar_street_data_is_refused():
    config = yaml.safe_load((ROOT / "config" / "dollar_street_10.yaml").read_text())
    config["data"]["sha256"] = "0" * 64
    with pytest.raises(WorkflowError, match="sha256"):
        checked(config)


def test_a_folder_holding_only_an_overlay_is_told_to_copy_the_base_config(tmp_path):
    """Snakemake skips the Snakefile's missing configfile when a --configfile is given; the
    schema alone would say "'experiments' is a required property". The printed copy command,
    pasted where the run was started (a folder with a config of its own), makes the run's
    folder runnable and leaves that config as it was."""
    import shlex

    home = Home(tmp_path, tmp_path / RUN_FOLDER)
    (home.run / "config").mkdir(parents=True)
    (home.path / "config").mkdir()
    (home.path / "config" / "config.yaml").write_text("# the home folder's own config\n")
    overlay = home.run / "config" / "over.yaml"
    overlay.write_text("seeds: [1, 2]\n")
    mine = [f"{RUN_FOLDER}/config/over.yaml"]
    refused = home.snakemake("--dry-run", "--configfile", *mine, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "required property" not in output
    assert f"config/config.yaml is not in the working directory {home.run}" in output
    command = re.search(r"run again: `([^`]+)`", output).group(1)
    assert shlex.quote(str(ROOT / "config" / "config.yaml")) in command
    home.paste(command)
    assert (home.path / "config/config.yaml").read_text() == "# the home folder's own config\n"
    planned = home.snakemake("--dry-run", "--configfile", *mine)
    assert "seed-2" in planned.stdout


def test_an_empty_mapping_in_a_configfile_is_refused_as_in_the_base_config(tmp_path):
    """Snakemake merges a --configfile's `data.md5: {}` into nothing (the base config's null,
    the published md5); the same key in the base file is refused: so is it here."""
    write_config(tmp_path, yaml.safe_load((ROOT / "config/dollar_street_10.yaml").read_text()),
                 "dollar_street_10.yaml")
    overlay = tmp_path / "config" / "pin.yaml"
    overlay.write_text("edition: dollar_street_10\ndata:\n  md5: {}\n")
    refused = snakemake(tmp_path, "--dry-run", "--configfile", overlay, check=False)
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0 and "Traceback" not in output
    assert f"{overlay}: data.md5: an empty mapping, {{}}, which Snakemake merges into nothing" \
        in output
