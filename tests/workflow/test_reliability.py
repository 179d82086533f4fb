"""Killed jobs resume, reruns give the same numbers, bad input stops cleanly and loses nothing."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import keras
import numpy as np
import pytest

from cnn_lesson.layout import TIMINGS
from cnn_lesson.workflow.integrity import TRAINING_RECORD
from helpers import snakemake, snakemake_command, tiny_config, unloadable_model, write_config
from servers import Route, Server

pytestmark = pytest.mark.workflow
LONG_RUN = "extra_layer/dropout-0.50/seed-1"
EPOCHS = 12


def long_training(workdir, archive):
    """One training of 12 epochs on the local tiny archive: long enough to be killed mid-way."""
    config = tiny_config(archive.path.as_uri(), archive)
    config["data"]["n_train"] = 300
    config["experiments"] = [{"model": "extra_layer", "dropout": [0.5], "epochs": EPOCHS}]
    write_config(workdir, config)
    return f"results/train/{LONG_RUN}/history.tsv"


def kill_during_training(workdir, target, after_epoch):
    """Start snakemake, and SIGKILL it and its job as soon as `after_epoch` is logged."""
    log = workdir / f"logs/train/{LONG_RUN}.log"
    command = snakemake_command(workdir, "--cores", "2", target)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and f"epoch {after_epoch}/{EPOCHS}" in log.read_text():
            os.killpg(process.pid, signal.SIGKILL)
            break
        time.sleep(0.02)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL, "the training ended before it was killed"


def comparable_files(workdir: Path) -> dict[str, bytes]:
    """Every result but the .keras files, whose zip records the time they were saved, the
    records of their checksums, and the timings, which differ from run to run."""
    return {str(p.relative_to(workdir)): p.read_bytes() for p in (workdir / "results").rglob("*")
            if p.is_file() and p.suffix != ".keras" and p.name not in (TRAINING_RECORD, TIMINGS)}


# What the two runs make and compare: the training, its evaluation, its plot and the tables
# (the lesson's own files are made from the same histories and metrics)
MADE = ["results/tables/runs.tsv", f"results/plots/{LONG_RUN}/loss.png"]


def test_a_killed_run_resumes_and_two_folders_give_identical_results(tmp_path, tiny_archive):
    """The tiny workflow twice, in two folders: once killed mid-training and resumed."""
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    killed.mkdir()
    whole.mkdir()
    target = long_training(killed, tiny_archive)
    long_training(whole, tiny_archive)

    kill_during_training(killed, target, after_epoch=4)
    checkpoint = killed / "checkpoints/train" / LONG_RUN
    assert (checkpoint / "state.json").exists()
    assert not (killed / target).exists()
    snakemake(killed, "--unlock")
    snakemake(killed, "--rerun-incomplete", *MADE)
    log = (killed / f"logs/train/{LONG_RUN}.log").read_text()
    assert "resuming from the checkpoint after epoch" in log
    assert not checkpoint.exists()
    # its timings hold each epoch once, those before the kill kept from the checkpoint (the
    # fourth's, or the third's where the kill came between its line and its checkpoint)
    timings = json.loads((killed / f"results/train/{LONG_RUN}/{TIMINGS}").read_text())
    assert [epoch["epoch"] for epoch in timings["epochs"]] == list(range(1, EPOCHS + 1))
    assert 3 <= timings["resumed_after"] < EPOCHS

    snakemake(whole, *MADE)
    first, second = comparable_files(killed), comparable_files(whole)
    assert sorted(first) == sorted(second) and target in first
    assert [name for name in first if first[name] != second[name]] == []
    model = f"results/train/{LONG_RUN}/model.keras"
    resumed = keras.models.load_model(killed / model).get_weights()
    uninterrupted = keras.models.load_model(whole / model).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(resumed, uninterrupted, strict=True))


def test_keep_going_makes_everything_that_does_not_need_the_failed_run(finished, tmp_path):
    workdir = tmp_path / "copy"
    shutil.copytree(finished, workdir, symlinks=True)
    for made in ("results/evaluate", "results/tables", "results/lesson"):
        shutil.rmtree(workdir / made)
    broken = workdir / "results/train/extra_layer/dropout-0.80/seed-1/model.keras"
    unloadable_model(broken)
    trained = {p: p.read_bytes() for p in (workdir / "results/train").rglob("*") if p.is_file()}

    result = snakemake(workdir, "--keep-going", check=False)
    assert result.returncode != 0
    assert f"{broken.relative_to(workdir)}: cannot be loaded as a Keras model" \
        in result.stdout + result.stderr
    made = {str(p.relative_to(workdir)) for p in (workdir / "results").rglob("*") if p.is_file()}
    for run in ("base/dropout-0.00/seed-1", "extra_layer/dropout-0.25/seed-1",
                "extra_layer/dropout-0.50/seed-1"):
        assert f"results/evaluate/{run}/metrics.json" in made
    assert "results/evaluate/extra_layer/dropout-0.80/seed-1/metrics.json" not in made
    assert {f"results/plots/{run}/loss.png" for run in (
        "base/dropout-0.00/seed-1", "extra_layer/dropout-0.80/seed-1")} <= made
    assert {"results/lesson/fig/04_vary_dropout_rate.png", "results/lesson/parameters.tsv",
            "results/lesson/fig/04_training_history_3.png"} <= made
    assert "results/tables/runs.tsv" not in made
    assert "results/lesson/evaluate_dropout_model.txt" not in made
    # finished results, the broken file included, are left as they were
    assert {p: p.read_bytes() for p in trained} == trained


def test_an_html_page_instead_of_the_archive_stops_the_workflow_cleanly(tmp_path, tiny_archive):
    server = Server()
    server.routes["/cifar-10-python.tar.gz"] = Route(b"<html><body>Sign in</body></html>",
                                                     content_type="text/html")
    url = server.url("/cifar-10-python.tar.gz")
    write_config(tmp_path, tiny_config(url, tiny_archive))
    try:
        result = snakemake(tmp_path, check=False)
    finally:
        server.close()
    assert result.returncode != 0
    assert f"{url} gave an HTML page" in result.stdout + result.stderr
    assert list((tmp_path / "resources").glob("*")) == []
    # Rules that need no data (the convolution figures, the parameter table) may have run.
    assert not (tmp_path / "results/data").exists()
    assert not (tmp_path / "results/train").exists()
