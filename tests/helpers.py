"""What the tests share besides fixtures: the tiny archive's maker, its config, and the command
line that runs the workflow (cnn_lesson.workflow.command, which the benchmark uses too)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

from cnn_lesson import synthetic
from cnn_lesson.workflow import command, integrity

PER_BATCH, N_TEST = 60, 100
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Archive:
    """A generated archive, its checksums and the objects its members pickle."""

    path: Path
    md5: str
    sha256: str
    members: dict

    @property
    def bytes(self) -> bytes:
        return self.path.read_bytes()


def make_archive(path: Path, members: dict, raw: dict | None = None) -> Archive:
    """Write `members` (and raw member bytes) as a CIFAR-10 archive at `path`."""
    synthetic.write_archive(path, members, raw)
    data = path.read_bytes()
    return Archive(path, hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest(), members)


def tiny_config(url, archive):
    """Two models, four rates, 1-2 epochs: the episode's shape on 200 images."""
    return {"data": {"url": url, "md5": archive.md5, "sha256": archive.sha256, "n_train": 200},
            "experiments": [
                {"model": "base", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"},
                {"model": "extra_layer", "dropout": [0.25, 0.5], "epochs": 2,
                 "figure": "04_vary_dropout_rate"},
                {"model": "extra_layer", "dropout": [0.8], "epochs": 1,
                 "figure": "04_training_history_3"}],
            "seeds": [1]}


def write_config(workdir, config, name="config.yaml"):
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    (workdir / "config" / name).write_text(yaml.safe_dump(config))


# The Dollar Street 10 edition's: its config's file name, and the tiny data's size
DOLLAR_STREET = "dollar_street_10.yaml"
DS_TRAIN, DS_TEST = 40, 20


def tiny_dollar_street_config(url, record, md5=None):
    """Every kind of the edition's runs, 1-2 epochs, on the tiny zip: each history figure, a
    sweep with early stopping, a grid of two models."""
    return {"edition": "dollar_street_10",
            "data": {"url": url, "record": record, "md5": md5},
            "experiments": [
                {"model": "base", "dropout": [0], "epochs": 2, "figure": "04_training_history_1"},
                {"model": "dense", "dropout": [0], "epochs": 1,
                 "figure": "04_dense_model_training_history"},
                {"model": "extra_layer", "dropout": [0], "epochs": 1,
                 "figure": "04_training_history_2"},
                {"model": "dropout", "dropout": [0.8], "epochs": 1,
                 "figure": "04_training_history_3"},
                {"model": "sweep", "dropout": [0.2, 0.9], "epochs": 3, "patience": 1,
                 "figure": "04_vary_dropout_rate"},
                {"model": "grid_1", "dropout": [0.2, 0.8], "epochs": 1, "figure": "grid_search"},
                {"model": "grid_2", "dropout": [0.8], "epochs": 1, "figure": "grid_search"}],
            "seeds": [1]}


def snakemake_command(workdir, *args, root=ROOT) -> list[str]:
    """The command line that runs the workflow of `root` in `workdir`, as a user types it."""
    return command.snakemake_command(root, workdir, *args)


def snakemake(workdir, *args, check=True, root=ROOT, cores=2, env=None):
    """Run the workflow of `root` in `workdir` on `cores` cores. `root` is this repository, or a
    copy of it with its own package, as a clone in its own environment; `env`, another
    environment to run it in."""
    if root != ROOT:
        env = {**(env or os.environ), "PYTHONPATH": str(Path(root) / "src")}
    result = subprocess.run(snakemake_command(workdir, "--cores", str(cores), *args, root=root),
                            capture_output=True, text=True, timeout=900, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout}\n{result.stderr}")
    return result


def planned_jobs(workdir, *args, root=ROOT):
    """Rule name -> job count of a dry run."""
    out = snakemake(workdir, "--dry-run", "--quiet", "rules", *args, root=root).stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts


def unloadable_model(model: Path) -> None:
    """Make `model` a file Keras cannot load that its training's record vouches for, as if train
    had written it so: the check before planning passes, and the job that reads it fails."""
    model.write_bytes(b"not a model")
    record = model.parent / integrity.TRAINING_RECORD
    record.write_text(json.dumps(integrity.training_checksums(model.parent), indent=2) + "\n")
