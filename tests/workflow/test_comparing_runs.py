"""`cnn-lesson compare A B` on runs the tiny workflow made: two runs of one config agree (0), a
change beyond the noise (1) and different trainings (1) are named, a folder with no run is (2)."""

import shutil
import subprocess
import sys

import pytest

from helpers import snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow
SEEDS = [1, 2]


def config(archive, base_epochs=1):
    made = tiny_config(archive.path.as_uri(), archive)
    made["experiments"] = [
        {"model": "base", "dropout": [0], "epochs": base_epochs, "figure": "04_training_history_1"}]
    made["seeds"] = SEEDS
    return made


# What compare reads: every training's metrics, the claims and the chosen rates
COMPARED = ["results/lesson/claims.tsv", "results/tables/chosen_dropout.tsv"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory, tiny_archive):
    """A run of one config (two seeds) and a copy of it in another folder: what a second run
    of the same config gives, bit for bit (tests/workflow/test_reliability.py shows it)."""
    folder = tmp_path_factory.mktemp("a")
    write_config(folder, config(tiny_archive))
    snakemake(folder, *COMPARED)
    again = tmp_path_factory.mktemp("again")
    shutil.copytree(folder, again, symlinks=True, dirs_exist_ok=True)
    return folder, again


def cnn_lesson(*args, cwd):
    return subprocess.run([sys.executable, "-m", "cnn_lesson.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def test_two_runs_of_one_config_agree(runs, tmp_path):
    a, again = runs
    done = cnn_lesson("compare", a, again, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "They agree: no verdict flips" in done.stdout
    out = tmp_path / "results" / "compare" / f"{a.name}-vs-{again.name}"
    for name in ("compare.md", "runs.tsv", "claims.tsv", "chosen.tsv", "environments.tsv",
                 "compare.json", "curves.png"):
        assert (out / name).is_file(), name
    assert "| base | 0.0 | test_loss | 2 / 2 |" in done.stdout and "| same |" in done.stdout


def test_a_change_beyond_the_noise_is_named(runs, tmp_path, tiny_archive):
    a, _ = runs
    changed = tmp_path / "changed"
    shutil.copytree(a, changed, symlinks=True)
    write_config(changed, config(tiny_archive, base_epochs=12))
    snakemake(changed, *COMPARED)
    done = cnn_lesson("compare", a, changed, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "base dropout 0 test_loss: " in done.stdout and ", beyond the noise" in done.stdout
    environments = (tmp_path / "out" / "environments.tsv").read_text()
    assert "training.epochs\t1\t12" in environments


def test_different_runs_are_named(runs, tmp_path):
    a, _ = runs
    fewer = tmp_path / "fewer"
    shutil.copytree(a / "results", fewer)
    shutil.rmtree(fewer / "evaluate/base/dropout-0.00/seed-2")
    done = cnn_lesson("compare", a, fewer, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 1
    assert "A only: base dropout 0 seed 2" in done.stdout


def test_a_folder_with_no_run_is_named(runs, tmp_path):
    a, _ = runs
    (tmp_path / "empty").mkdir()
    done = cnn_lesson("compare", a, tmp_path / "empty", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{tmp_path / 'empty'} holds no finished run" in done.stderr
