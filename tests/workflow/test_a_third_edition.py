"""A third edition from its own module, config and data schema only: copied into a clone of the
workflow (tests/workflow/toy_edition/), it is found, checked, run end to end and read back, with
no list of editions edited anywhere. The toy has no sweep, no small or dropout model and no
`evaluate` line: what the two real editions have in common is not required of it."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from cnn_lesson import synthetic
from helpers import ROOT, fresh_clone, snakemake

pytestmark = pytest.mark.workflow
TOY = Path(__file__).parent / "toy_edition"
RESULTS = "results/toy"


def toy_arrays(n_train=30, n_test=12) -> dict:
    rng = np.random.default_rng(3)
    arrays = {}
    for split, count in (("train", n_train), ("test", n_test)):
        labels = rng.integers(0, 3, count)
        arrays[f"{split}_images.npy"] = rng.integers(0, 256, (count, 16, 16, 3), dtype=np.uint8)
        arrays[f"{split}_labels.npy"] = labels.astype(np.int64)
    return arrays


@pytest.fixture(scope="module")
def toy_run(tmp_path_factory):
    """A clone with the toy edition added, and a folder in which it ran."""
    root = fresh_clone(tmp_path_factory.mktemp("toy"))
    shutil.copy(TOY / "toy.py", root / "src/cnn_lesson/editions/toy.py")
    shutil.copy(TOY / "toy.schema.yaml", root / "workflow/schemas/data/toy.schema.yaml")
    workdir = tmp_path_factory.mktemp("toy run")
    md5 = synthetic.write_npy_zip(workdir / "toy.zip", toy_arrays())
    config = yaml.safe_load((TOY / "toy.yaml").read_text())
    config["data"].update(archive=str(workdir / "toy.zip"), md5=md5)
    (workdir / "config").mkdir()
    (workdir / "config" / "toy.yaml").write_text(yaml.safe_dump(config))
    (root / "config" / "toy.yaml").write_text(yaml.safe_dump(config))
    done = snakemake(workdir, "--configfile", str(workdir / "config" / "toy.yaml"), root=root,
                     check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return root, workdir, done.stdout + done.stderr


def test_a_third_edition_runs_end_to_end_from_its_own_files(toy_run):
    root, workdir, console = toy_run
    figures = workdir / RESULTS / "lesson" / "fig"
    for name in ("toy_sample", "toy_history", "toy_history_loss", "04_conv_matrix",
                 "04_conv_image"):
        assert (figures / f"{name}.png").stat().st_size > 1000, name
    assert "3 of the 3 categories appear" in (workdir / RESULTS / "lesson/figures.md").read_text()
    grid = pd.read_csv(workdir / RESULTS / "lesson/grid_search.tsv", sep="\t")
    assert list(grid["dropout_rate"]) == [0.5]
    claims = pd.read_csv(workdir / RESULTS / "lesson/claims.tsv", sep="\t")
    assert list(claims["claim"]) == ["sample_shape", "labels", "toy_accuracy", "grid_best"]
    assert list(claims["verdict"][:2]) == ["holds", "holds"]
    runs = pd.read_csv(workdir / RESULTS / "tables/runs.tsv", sep="\t")
    assert len(runs) == 2 and set(runs["model"]) == {"base"}
    assert "3 claims" not in console and "4 claims:" in console
    assert not (workdir / "results" / "train").exists()  # its own folder only


def test_the_reader_and_the_bench_take_the_third_edition(toy_run):
    root, workdir, _ = toy_run
    clone = {**os.environ, "PYTHONPATH": str(root / "src")}
    code = ("import sys; from cnn_lesson import results\n"
            "found = results.editions(sys.argv[1])\n"
            "print(sorted(found), sorted(t.name for t in found['toy'].finished()))")
    shown = subprocess.run([sys.executable, "-c", code, str(workdir)], capture_output=True,
                           text=True, check=True, env=clone).stdout
    assert shown.strip() == "['toy'] ['base/dropout-0.00/seed-1', 'base/dropout-0.50/seed-1']"
    costs = subprocess.run([sys.executable, str(ROOT / "bench" / "costs.py"), str(workdir)],
                           capture_output=True, text=True, env=clone)
    assert costs.returncode == 0, costs.stderr
    assert "base/dropout-0.50/seed-1" in costs.stdout and "busiest core" in costs.stdout


def test_a_third_edition_that_declares_a_wrong_name_stops_naming_it(toy_run, tmp_path):
    root, workdir, _ = toy_run
    broken = root / "src/cnn_lesson/editions/toy.py"
    saved = broken.read_text()
    try:
        broken.write_text(saved.replace('FOLDER = "toy"', 'FOLDER = None'))
        done = snakemake(workdir, "--dry-run", "--configfile",
                         str(workdir / "config" / "toy.yaml"), root=root, check=False)
    finally:
        broken.write_text(saved)
    console = done.stdout + done.stderr
    assert done.returncode != 0 and "Traceback" not in console
    assert "cnn_lesson.editions.toy: FOLDER is a NoneType, not a str." in console
