"""The Dollar Street 10 edition, run as documented (`--configfile config/dollar_street_10.yaml`)
on a tiny zip in its genuine format and its Zenodo record, both served over HTTP on 127.0.0.1:
every figure, table and claim under results/dollar-street-10/, the record's md5 taken and
printed, bad files stopped before any training, and the CIFAR-10 edition beside it untouched."""

from __future__ import annotations

import hashlib
import json
import shutil

import numpy as np
import pandas as pd
import pytest
import yaml

from cnn_lesson import synthetic
from cnn_lesson.edition import load
from cnn_lesson.training import stops_early
from helpers import (DOLLAR_STREET, DS_TEST, DS_TRAIN, planned_jobs, snakemake,
                     tiny_dollar_street_config, write_config)
from servers import Route, Server

EDITION = load("dollar_street_10")
RESULTS = "results/dollar-street-10"


def configfile(workdir) -> list[str]:
    """The documented option, with the path as a user in `workdir` would give it."""
    return ["--configfile", str(workdir / "config" / DOLLAR_STREET)]


def serve(server: Server, members: dict) -> dict:
    """Serve a zip of `members` and the record publishing their md5; return the md5."""
    md5, payload = zip_bytes(members)
    server.routes["/files-archive"] = Route(payload, content_type="application/zip")
    server.routes["/record"] = Route(json.dumps(synthetic.zenodo_record(md5)).encode(),
                                     content_type="application/json")
    return md5


def zip_bytes(members: dict) -> tuple[dict, bytes]:
    import io

    buffer = io.BytesIO()
    md5 = synthetic.write_npy_zip(buffer, members)
    return md5, buffer.getvalue()


@pytest.fixture(scope="session")
def dollar_street(tmp_path_factory):
    """A workdir in which the tiny Dollar Street 10 episode has run once, with no md5 pinned."""
    server = Server()
    md5 = serve(server, synthetic.dollar_street_arrays(DS_TRAIN, DS_TEST))
    workdir = tmp_path_factory.mktemp("dollar_street")
    write_config(workdir, tiny_dollar_street_config(server.url("/files-archive"),
                                                    server.url("/record")), DOLLAR_STREET)
    try:
        result = snakemake(workdir, *configfile(workdir))
    finally:
        server.close()
    (workdir / "console.log").write_text(result.stdout + result.stderr)
    (workdir / "md5.json").write_text(json.dumps(md5))
    return workdir


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
    assert len(table) == 3 and list(table["score_mean"]) == sorted(table["score_mean"])
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
        assert made_by["run"]["patience"] == 1 and made_by["run"]["edition"] == EDITION.NAME
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


def test_only_the_editions_folders_are_written(dollar_street):
    for top in ("results", "logs", "benchmarks", "resources"):
        assert [path.name for path in (dollar_street / top).iterdir()] == ["dollar-street-10"]


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


@pytest.mark.parametrize("change, problem", [
    (lambda path: path.write_text(path.read_text().replace('"train_images.npy": "',
                                                           '"train_images.npy": "0')),
     "names other checksums than"),
    (lambda path: path.unlink(), "is missing"),
])
def test_the_md5_recorded_beside_the_zip_edited_or_lost_stops_the_run(dollar_street, tmp_path,
                                                                      change, problem):
    """The download's record of the md5 it took from Zenodo: edited or deleted after the data
    was prepared, it is named before anything is planned, and no finished file is touched."""
    workdir = tmp_path / "copy"
    shutil.copytree(dollar_street, workdir, symlinks=True)
    change(workdir / "resources/dollar-street-10/dollar-street-10.zip.md5.json")
    before = {path: path.stat().st_mtime_ns for path in (workdir / RESULTS).rglob("*")}
    result = snakemake(workdir, *configfile(workdir), check=False)
    assert result.returncode == 1 and problem in result.stderr
    assert "dollar-street-10.zip.md5.json, the checksums the download verified" in result.stderr
    assert {path: path.stat().st_mtime_ns for path in before} == before


def bad_members(kind: str) -> dict:
    arrays = synthetic.dollar_street_arrays(8, 4)
    if kind == "float images":
        return {**arrays, "train_images.npy": arrays["train_images.npy"] / 255.0}
    if kind == "labels of another count":
        return {**arrays, "test_labels.npy": arrays["test_labels.npy"][:-1]}
    if kind == "a missing file":
        return {name: value for name, value in arrays.items() if name != "train_labels.npy"}
    raise ValueError(kind)


@pytest.mark.parametrize("kind, fragment", [
    ("float images", "train_images.npy holds float64 values"),
    ("labels of another count", "test_labels.npy holds an array of shape (3,) for 4 images"),
    ("a missing file", "must hold exactly train_images.npy"),
])
def test_a_bad_local_copy_stops_before_any_training_naming_the_file(tmp_path, kind, fragment):
    """data.archive, a local zip whose md5 the user pinned: its content is still checked, and
    the run stops at prepare_data (or the download) with the file's name, no training run."""
    workdir = tmp_path / "work"
    members = bad_members(kind)
    md5, payload = zip_bytes(members)
    (tmp_path / "local.zip").write_bytes(payload)
    pinned = {name: md5.get(name, "0" * 32) for name in EDITION.DATA.files}
    config = tiny_dollar_street_config("https://127.0.0.1:9/unused", "https://127.0.0.1:9/unused",
                                       pinned)
    config["data"]["archive"] = str(tmp_path / "local.zip")
    write_config(workdir, config, DOLLAR_STREET)
    result = snakemake(workdir, *configfile(workdir), check=False)
    assert result.returncode == 1
    assert fragment in result.stderr, result.stderr[-3000:]
    assert not (workdir / RESULTS / "train").exists()
    assert not list((workdir / RESULTS).rglob("*.npz")) if (workdir / RESULTS).exists() else True


def test_both_editions_side_by_side_in_one_folder(dollar_street, tmp_path, tiny_archive):
    """The CIFAR-10 edition run in the same folder writes its paths as ever, and leaves every
    Dollar Street 10 file as it was; each edition's run then has nothing to do."""
    from helpers import tiny_config

    workdir = tmp_path / "both"
    shutil.copytree(dollar_street, workdir, symlinks=True)
    before = {path: hashlib.sha256(path.read_bytes()).hexdigest()
              for path in (workdir / RESULTS).rglob("*") if path.is_file()}
    server = Server()
    server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
    try:
        write_config(workdir, tiny_config(server.url("/cifar-10-python.tar.gz"), tiny_archive))
        snakemake(workdir)
    finally:
        server.close()
    assert (workdir / "results/lesson/fig/04_cifar10.png").is_file()
    assert (workdir / "results/train/base/dropout-0.00/seed-1/model.keras").is_file()
    after = {path: hashlib.sha256(path.read_bytes()).hexdigest() for path in before}
    assert after == before
    assert planned_jobs(workdir) == {}
    assert planned_jobs(workdir, *configfile(workdir)) == {}
