"""The shipped config and its schema."""

import copy
import re
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from cnn_lesson import download
from cnn_lesson.architectures import ARCHITECTURES
from cnn_lesson.experiments import runs_from_config

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "workflow" / "schemas" / "config.schema.yaml"


def shipped():
    return yaml.safe_load((ROOT / "config" / "config.yaml").read_text())


def test_shipped_config_is_the_lesson():
    config = shipped()
    validate(config, str(SCHEMA))
    runs = runs_from_config(config)
    assert [r.path for r in runs] == [
        "base/dropout-0.00/seed-1", "extra_layer/dropout-0.00/seed-1",
        "extra_layer/dropout-0.80/seed-1",
        *[f"extra_layer/dropout-{r}/seed-1" for r in ("0.15", "0.30", "0.45", "0.60", "0.75")]]
    assert [r.epochs for r in runs] == [10] + [20] * 7
    assert config["data"]["n_train"] == 5000
    assert (config["data"]["url"], config["data"]["md5"], config["data"]["sha256"]) == \
        (download.URL, download.MD5, download.SHA256)


def test_the_honest_dropout_config():
    config = yaml.safe_load((ROOT / "config" / "honest_dropout.yaml").read_text())
    validate(config, str(SCHEMA))
    runs = runs_from_config(config)
    assert len(runs) == 25 and {r.seed for r in runs} == {1, 2, 3, 4, 5}
    assert all(r.sweep for r in runs)
    assert 0 < config["training"]["validation_split"] < 1


def test_defaults_are_filled():
    config = {"experiments": [{"model": "base", "dropout": [0], "epochs": 1}]}
    validate(config, str(SCHEMA))
    assert config["data"]["n_train"] == 5000 and config["seeds"] == [1]
    assert config["data"]["md5"] == download.MD5 and config["training"]["batch_size"] == 32


def test_every_key_is_described():
    def walk(node, where):
        for key, sub in node.get("properties", {}).items():
            assert "description" in sub, f"{where}.{key} has no description"
            walk(sub, f"{where}.{key}")
        if "items" in node:
            walk(node["items"], where + "[]")
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, f"{where} accepts unknown keys"
    walk(yaml.safe_load(SCHEMA.read_text()), "config")


def test_schema_lists_the_registry_models():
    schema = yaml.safe_load(SCHEMA.read_text())
    model = schema["properties"]["experiments"]["items"]["properties"]["model"]
    assert model["enum"] == list(ARCHITECTURES)


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
])
def test_invalid_values_are_named(path, value, message):
    with pytest.raises(WorkflowError, match=re.escape(message)):
        validate(edited(path, value), str(SCHEMA))
