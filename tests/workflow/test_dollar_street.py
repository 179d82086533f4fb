"""The Dollar Street 10 edition, run as documented (`--configfile config/dollar_street_10.yaml`)
on a tiny zip in its genuine format and its Zenodo record, both served over HTTP on 127.0.0.1:
every figure, table and claim under results/dollar-street-10/, the record's md5 taken and
printed, bad files stopped before any training, and the CIFAR-10 edition beside it untouched."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from cnn_lesson import synthetic
from cnn_lesson.edition import load
from cnn_lesson.training import stops_early
from helpers import (DOLLAR_STREET, DS_TEST, DS_TRAIN, RUN_FOLDER, configfile, home_with,
                     planned_jobs, remedy, snakemake, tiny_dollar_street_config,
                     write_config, zip_bytes)

EDITION = load("dollar_street_10")
RESULTS = "results/dollar-street-10"


def test_every_figure_of_the_episode_under_its_own_name(dollar_street):
    figures = dollar_street / RESULTS / "lesson" / "fig"
    for name in ("04_dollar_street_10", "04_training_history_1", "04_training_history_loss_1",
                 "04_dense_model_training_history", "04_training_history_2",
                 "04_training_history_3", "04_vary_dropout_rate", "04_conv_image",
                 "04_conv_matrix"):
        assert (figures / f"{name}.png").stat().st_size > 1000, name
    lines = (dollar_street / RESULTS / "lesson" / "figures.md").read_text().split("\n\n")
    names = [line.split("../fig/")[1].split(".png")[0] for line in lines]
    assert names == ["04_dollar_street_10", "04_conv_matrix", "04_conv_image",
                     "04_training_history_1", "04_training_history_loss_1",
                     "04_dense_model_training_history", "04_training_history_2",
                     "04_training_history_3", "04_vary_dropout_rate"]
    assert "training images of the Dollar Street 10 data set" in lines[0]
    assert "(dense, dropout 0, 1 epoch)" in lines[5]


def test_the_sample_grid_names_the_episodes_categories(dollar_street):
    table = pd.read_csv(dollar_street / RESULTS / "lesson/fig/04_dollar_street_10.tsv", sep="\t")
    arrays = synthetic.dollar_street_arrays(DS_TRAIN, DS_TEST)
    assert list(table["label"]) == list(arrays["train_labels.npy"][:25])
    assert set(table["class_name"]) <= set(EDITION.DATA.class_names)


def test_the_parameter_table_and_claims_are_the_editions(dollar_street):
    lesson = dollar_street / RESULTS / "lesson"
    table = pd.read_csv(lesson / "parameters.tsv", sep="\t")
    totals = table[table["layer"] == "total"].set_index("model")["parameters"]
    assert totals["base"] == 514_510 and totals["sweep"] == 407_060
    claims = pd.read_csv(lesson / "claims.tsv", sep="\t")
    assert list(claims["claim"]) == [claim.claim for claim in EDITION.CLAIMS]
    verdicts = claims.set_index("claim")["verdict"]
    # the generated data is not the real data: 40 images, not 878
    assert verdicts["sample_shape"] == "does not hold" and verdicts["total_base"] == "holds"
    assert verdicts["grid_best"] == "cannot tell"  # one seed
    assert "Dollar Street 10 edition (deep-learning-intro at ebbde111)" in \
        (lesson / "claims.md").read_text()


def test_the_grid_search_ranks_its_points_by_their_best_validation_loss(dollar_street):
    table = pd.read_csv(dollar_street / RESULTS / "lesson" / "grid_search.tsv", sep="\t")
    assert len(table) == 2 and list(table["score_mean"]) == sorted(table["score_mean"])
    best = []
    for row in table.itertuples():
        run = f"{row.model}/dropout-{row.dropout_rate:.2f}/seed-1"
        history = pd.read_csv(dollar_street / RESULTS / "train" / run / "history.tsv", sep="\t")
        best.append(history["val_loss"].min())
    np.testing.assert_allclose(table["score_mean"], best)
    assert set(table["hyperparameters"]) == {"n_layers 1", "n_layers 2"}


def test_the_sweep_trains_with_early_stopping_and_its_settings_say_so(dollar_street):
    for rate in ("0.20", "0.90"):
        folder = dollar_street / RESULTS / "train" / "sweep" / f"dropout-{rate}" / "seed-1"
        made_by = json.loads((folder / "provenance.json").read_text())
        assert made_by["training"]["patience"] == 1 and made_by["training"]["edition"] == EDITION.NAME
        history = pd.read_csv(folder / "history.tsv", sep="\t")
        # 3 epochs, or fewer where Keras' rule stopped it (tests/unit: the rule itself)
        assert len(history) == 3 or stops_early(history, 1)


def test_the_records_md5_are_taken_said_and_kept_in_provenance(dollar_street):
    md5 = json.loads((dollar_street / "md5.json").read_text())
    console = (dollar_street / "console.log").read_text()
    assert "data.md5 was null: the files were checked against the md5 published by" in console
    assert f"    train_images.npy: {md5['train_images.npy']}" in console
    beside = json.loads((dollar_street / "resources/dollar-street-10/dollar-street-10.zip.md5.json")
                        .read_text())
    assert beside["checksums"] == md5
    made_by = json.loads((dollar_street / RESULTS / "train/base/dropout-0.00/seed-1/"
                          "provenance.json").read_text())
    assert made_by["data"]["checksums"] == md5 and "not pinned" in made_by["data"]["from"]


def test_only_the_editions_folders_are_written(dollar_street, finished):
    """Run in the folder of a finished CIFAR-10 run: every file of that run is as it was, and
    every file the Dollar Street 10 run wrote is in the edition's own folders (or is its config,
    or Snakemake's own records)."""
    def files(folder):
        return {str(path.relative_to(folder)): path.read_bytes() for path in folder.rglob("*")
                if path.is_file() and path.relative_to(folder).parts[0] != ".snakemake"}

    cifar, both = files(finished), files(dollar_street)
    changed = [name for name in cifar if both.get(name) != cifar[name]]
    assert changed == ["console.log"]  # what the fixture wrote of this run's terminal
    added = [name for name in set(both) - set(cifar) if "/dollar-street-10/" not in f"/{name}"
             and name not in (f"config/{DOLLAR_STREET}", "md5.json")]
    assert added == []


def test_a_second_run_and_pinning_the_published_md5_rerun_nothing(dollar_street, tmp_path):
    """The md5 the run printed, pinned in the config: the same files, so nothing is fetched or
    made again."""
    workdir = tmp_path / "copy"
    shutil.copytree(dollar_street, workdir, symlinks=True)
    assert planned_jobs(workdir, *configfile(workdir)) == {}
    config = yaml.safe_load((workdir / "config" / DOLLAR_STREET).read_text())
    config["data"]["md5"] = json.loads((workdir / "md5.json").read_text())
    write_config(workdir, config, DOLLAR_STREET)
    assert planned_jobs(workdir, *configfile(workdir)) == {}


def test_a_zip_replaced_after_the_run_stops_it_before_anything_is_planned(dollar_street,
                                                                         tmp_path):
    workdir = tmp_path / "copy"
    shutil.copytree(dollar_street, workdir, symlinks=True)
    zip_path = workdir / "resources/dollar-street-10/dollar-street-10.zip"
    other = synthetic.dollar_street_arrays(DS_TRAIN, DS_TEST, seed=7)
    zip_path.write_bytes(zip_bytes(other)[1])
    before = {path: path.stat().st_mtime_ns for path in (workdir / RESULTS).rglob("*.keras")}
    result = snakemake(workdir, *configfile(workdir), check=False)
    assert result.returncode == 1
    assert "dollar-street-10.zip holds train_images.npy with md5" in result.stderr
    assert "Nothing was run or deleted" in result.stderr
    assert {path: path.stat().st_mtime_ns for path in before} == before


def fetched_again(run, tmp_path):
    """The zip and the md5 beside it, as a download of another version of the record leaves
    them."""
    md5 = synthetic.write_npy_zip(run / "resources/dollar-street-10/dollar-street-10.zip",
                                  synthetic.dollar_street_arrays(DS_TRAIN, DS_TEST, seed=7))
    beside = run / "resources/dollar-street-10/dollar-street-10.zip.md5.json"
    beside.write_text(json.dumps({"checksums": md5, "from": "the record"}))


def lost(run, tmp_path):
    """The md5 beside the zip deleted; the record and its zip served from files (the fixture's
    server is gone)."""
    (run / "resources/dollar-street-10/dollar-street-10.zip.md5.json").unlink()
    md5 = synthetic.write_npy_zip(tmp_path / "record.zip",
                                  synthetic.dollar_street_arrays(DS_TRAIN, DS_TEST))
    (tmp_path / "record.json").write_text(json.dumps(synthetic.zenodo_record(md5)))
    config = yaml.safe_load((run / "config" / DOLLAR_STREET).read_text())
    config["data"].update(url=(tmp_path / "record.zip").as_uri(),
                          record=(tmp_path / "record.json").as_uri())
    write_config(run, config, DOLLAR_STREET)


@pytest.mark.parametrize("change, problem", [(fetched_again, "names other checksums than"),
                                             (lost, "is missing")])
def test_the_md5_recorded_beside_the_zip_edited_or_lost_stops_the_run(dollar_street, finished,
                                                                      tmp_path, change, problem):
    """The download's record of the md5 it took from Zenodo: changed (the data fetched again)
    or deleted after the data was prepared, it is named before anything is planned, and no
    finished file is touched; its command, pasted where the run was started (a folder with a
    run of its own), prepares the data again (fetching it where it must) and touches nothing
    else."""
    home = home_with(dollar_street, tmp_path, own=finished)
    workdir, own = home.run, home.own_files()
    change(workdir, tmp_path)
    before = {path: path.stat().st_mtime_ns for path in (workdir / RESULTS).rglob("*")}
    mine = ["--configfile", f"{RUN_FOLDER}/config/{DOLLAR_STREET}"]
    result = home.snakemake(*mine, check=False)
    assert result.returncode == 1 and problem in result.stderr
    assert "dollar-street-10.zip.md5.json, the checksums the download verified" in result.stderr
    assert {path: path.stat().st_mtime_ns for path in before} == before
    home.paste(remedy(result.stderr))
    assert home.own_files() == own
    assert (workdir / RESULTS / "data/dollar_street_10.npz").is_file()
    # the data is mended: what a run still plans is the trainings its new record touches
    planned = planned_jobs(workdir, *configfile(workdir))
    assert "prepare_data" not in planned and "download_data" not in planned


@pytest.mark.parametrize("kind, fragment", [
    ("not a zip", "not a readable zip"),
    ("labels of another count", "test_labels.npy holds an array of shape (3,) for 4 images"),
])
def test_a_bad_local_copy_stops_before_any_training_naming_the_file(tmp_path, kind, fragment):
    """data.archive, a local zip whose md5 the user pinned: its content is still checked when
    it is copied, and the run stops naming the user's file (never the copy it was read from)
    and what to do about it there, no training run. Each other kind of bad zip:
    tests/unit/test_download.py."""
    workdir = tmp_path / "work"
    arrays = synthetic.dollar_street_arrays(8, 4)
    md5, payload = zip_bytes({**arrays, "test_labels.npy": arrays["test_labels.npy"][:-1]})
    if kind == "not a zip":
        payload = b"this is not the zip " * 40
    (tmp_path / "local.zip").write_bytes(payload)
    config = tiny_dollar_street_config("https://127.0.0.1:9/unused", "https://127.0.0.1:9/unused",
                                       md5)
    config["data"]["archive"] = str(tmp_path / "local.zip")
    write_config(workdir, config, DOLLAR_STREET)
    result = snakemake(workdir, *configfile(workdir), check=False)
    assert result.returncode == 1
    assert f"{tmp_path / 'local.zip'} (data.archive)" in result.stderr, result.stderr[-3000:]
    assert fragment in result.stderr and "Point data.archive at a good copy" in result.stderr
    assert ".part.zip" not in result.stderr
    assert not (workdir / RESULTS / "train").exists()
    assert not list((workdir / RESULTS).rglob("*.npz")) if (workdir / RESULTS).exists() else True


def test_both_editions_side_by_side_in_one_folder(dollar_street):
    """The CIFAR-10 edition's files keep their paths as ever beside the Dollar Street 10
    edition's, and each edition's run then has nothing to do."""
    assert (dollar_street / "results/lesson/fig/04_cifar10.png").is_file()
    assert (dollar_street / "results/train/base/dropout-0.00/seed-1/model.keras").is_file()
    assert (dollar_street / RESULTS / "lesson/fig/04_dollar_street_10.png").is_file()
    assert planned_jobs(dollar_street) == {}
    assert planned_jobs(dollar_street, *configfile(dollar_street)) == {}
