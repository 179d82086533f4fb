"""What the tests share besides fixtures: the tiny archive's maker, its config, and the command
line that runs the workflow (cnn_lesson.workflow.command, which the benchmark uses too)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
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
                {"model": "grid_1", "dropout": [0.2], "epochs": 1, "figure": "grid_search"},
                {"model": "grid_2", "dropout": [0.8], "epochs": 1, "figure": "grid_search"}],
            "seeds": [1]}


# What a clone of the workflow holds that a run reads
CODE = ["Snakefile", "workflow", "src", "config", "profiles", "environment.yml"]


def fresh_clone(tmp_path) -> Path:
    """The workflow's code as a fresh clone or checkout has it: the same content, in another
    folder, with new modification times (run it with `root=`: its own package comes first)."""
    import shutil

    root = Path(tmp_path) / "clone"
    root.mkdir()
    for name in CODE:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, root / name, copy_function=shutil.copy,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy(ROOT / name, root / name)
    return root


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


ENVIRONMENT = {"python": "3.11.7", "numpy": "2.4.6", "tensorflow": "2.21.0",
               "keras": "3.15.1", "backend": "tensorflow", "cpu": "AMD EPYC", "isa": "AVX2",
               "gpu": "none", "cuda": "", "cudnn": "", "threads": 1}


def history_table(epochs, offset=0.0):
    """A history as train writes it: a row per epoch, indexed by epoch."""
    import pandas as pd

    return pd.DataFrame({"accuracy": [0.3 + offset] * epochs, "loss": [1.5] * epochs,
                         "val_accuracy": [0.2] * epochs, "val_loss": [1.9 - offset] * epochs},
                        index=pd.RangeIndex(1, epochs + 1, name="epoch"))


def write_training(results, model="base", dropout=0.0, seed=1, epochs=2, test_loss=2.0,
                   environment=None, edition="cifar10", folder=None, evaluated=True):
    """A finished training as the rules write it, under the results folder `results`: its record
    (provenance.json), history, timings and, where `evaluated`, its metrics; `folder` is the
    folder it is written in below train/ and evaluate/ (by default its own name). Returns the
    training's folder."""
    from cnn_lesson import layout
    from cnn_lesson.workflow import provenance

    folder = folder or layout.training_folder(model, dropout, seed)
    trained = Path(results) / layout.TRAINED / folder
    trained.mkdir(parents=True, exist_ok=True)
    history_table(epochs).to_csv(trained / layout.HISTORY, sep="\t")
    environment = environment or ENVIRONMENT
    settings = {"model": model, "dropout": dropout, "seed": seed, "epochs": epochs,
                "batch_size": 32, "edition": edition}
    (trained / layout.PROVENANCE).write_text(json.dumps({
        "training": settings, "config_digest": provenance.json_digest(settings)[:12],
        "environment": environment, "environment_id": provenance.environment_id(environment),
        "workflow": {"version": "0.1.0", "commit": "", "dirty": True, "code": {}}}))
    (trained / layout.TIMINGS).write_text(json.dumps({
        "process_started": 100.0, "resumed_after": 0, "saved": 110.0 + epochs, "threads": 1,
        "epochs": [{"epoch": n, "started": 104.0 + n, "ended": 105.0 + n, "seconds": 1.0}
                   for n in range(1, epochs + 1)]}))
    if evaluated:
        metrics = Path(results) / layout.EVALUATED / folder / layout.METRICS
        metrics.parent.mkdir(parents=True, exist_ok=True)
        metrics.write_text(json.dumps({"test_loss": test_loss, "test_accuracy": 0.5,
                                       "parameters": 87060}))
    return trained


def configfile(workdir) -> list[str]:
    """The Dollar Street 10 edition's documented option, with the path as a user in `workdir`
    would give it."""
    return ["--configfile", str(Path(workdir) / "config" / DOLLAR_STREET)]


def zip_bytes(members: dict) -> tuple[dict, bytes]:
    """A zip of .npy `members` in memory: the md5 of each, and the zip's bytes."""
    import io

    buffer = io.BytesIO()
    md5 = synthetic.write_npy_zip(buffer, members)
    return md5, buffer.getvalue()


def serve(server, members: dict) -> dict:
    """Serve a zip of `members` and the Zenodo record publishing their md5 on `server`
    (tests/servers.py); return the md5."""
    from servers import Route

    md5, payload = zip_bytes(members)
    server.routes["/files-archive"] = Route(payload, content_type="application/zip")
    server.routes["/record"] = Route(json.dumps(synthetic.zenodo_record(md5)).encode(),
                                     content_type="application/json")
    return md5


# Where a run lives below the folder a user works in, named as config/README.md suggests, with
# a space, a quote and an accent that every printed command must quote
RUN_FOLDER = "runs/hon est, l'été"


@dataclass
class Home:
    """The folder a user works in (`path`), holding a finished run of its own, and another run
    below it (`run`, in RUN_FOLDER), which commands run from `path` name with a relative
    --directory, as a user types them."""

    path: Path
    run: Path

    def snakemake(self, *args, check=True, root=ROOT, relative=()) -> subprocess.CompletedProcess:
        """`snakemake --directory RUN_FOLDER ...` run from the home folder; `relative` options
        (e.g. --configfile) are given relative to it too."""
        command = [sys.executable, "-m", "snakemake", "--snakefile", str(Path(root) / "Snakefile"),
                   "--directory", RUN_FOLDER, "--cores", "2", *args, *relative]
        done = subprocess.run(command, cwd=self.path, capture_output=True, text=True,
                              timeout=900)
        if check and done.returncode != 0:
            raise AssertionError(f"snakemake failed:\n{done.stdout}\n{done.stderr}")
        return done

    def paste(self, command: str) -> subprocess.CompletedProcess:
        """A command from a message, pasted as printed in the home folder, with this
        environment's `snakemake`."""
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        return subprocess.run(command, shell=True, cwd=self.path, check=True,
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "PATH": path})

    def own_files(self) -> dict[str, bytes]:
        """Every file of the home folder's own run (all but runs/), with its bytes."""
        return {str(path.relative_to(self.path)): path.read_bytes()
                for path in self.path.rglob("*")
                if path.is_file() and path.relative_to(self.path).parts[0] != "runs"}


def home_with(run: Path, tmp_path: Path, own: Path | None = None) -> Home:
    """A home folder holding a copy of `own` (by default of `run`) and, below it, a copy of
    `run`: Snakemake's records and file dates included."""
    import shutil

    home = Path(tmp_path) / "home"
    shutil.copytree(own or run, home, symlinks=True)
    shutil.copytree(run, home / RUN_FOLDER, symlinks=True)
    return Home(home, home / RUN_FOLDER)


def remedy(message: str) -> str:
    """The command between backticks that a message says to run."""
    return message.split("`")[1]

# How the tests start headless Chromium: no network of its own, a profile of the test's
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=15000", "--enable-logging=stderr", "--v=0"]


def browser_dom(url: str, profile) -> subprocess.CompletedProcess:
    """The DOM headless Chromium shows for `url` once its scripts have run (the test skips,
    saying so, on a machine without Chromium)."""
    import shutil

    import pytest

    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no chromium on this machine (install Debian's chromium package): "
                    "the page was written but not rendered")
    return subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                           "--dump-dom", url], capture_output=True, text=True, timeout=120)
