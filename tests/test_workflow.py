"""The real workflow, end to end, with snakemake on a tiny archive served over HTTP."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
RUNS = ["base/dropout-0.00/seed-1", "base/dropout-0.50/seed-1",
        "extra_layer/dropout-0.25/seed-1", "extra_layer/dropout-0.50/seed-1"]

pytestmark = pytest.mark.workflow


def tiny_config(url, archive, extra_layer_rates=(0.25, 0.5)):
    return {"data": {"url": url, "md5": archive.md5, "sha256": archive.sha256, "n_train": 200},
            "experiments": [{"model": "base", "dropout": [0, 0.5], "epochs": 1},
                            {"model": "extra_layer", "dropout": list(extra_layer_rates),
                             "epochs": 2}],
            "seeds": [1]}


def write_config(workdir, config):
    (workdir / "config").mkdir(exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def snakemake(workdir, *args, check=True):
    """Run the repository's workflow in `workdir`, as a user would from the command line."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(ROOT / "Snakefile"),
               "--directory", str(workdir), "--cores", "2", *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout}\n{result.stderr}")
    return result


def planned_jobs(workdir):
    """Rule name -> job count of a dry run."""
    out = snakemake(workdir, "--dry-run", "--quiet", "rules").stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts


@pytest.fixture(scope="module")
def finished(tmp_path_factory, tiny_archive):
    """A workdir in which the whole tiny workflow has run once, served over real HTTP."""
    from servers import Route, Server

    server = Server()
    server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
    workdir = tmp_path_factory.mktemp("workflow")
    write_config(workdir, tiny_config(server.url("/cifar-10-python.tar.gz"), tiny_archive))
    try:
        snakemake(workdir)
    finally:
        server.close()
    return workdir


def test_every_expected_file_is_written(finished):
    expected = ["resources/cifar-10-python.tar.gz", "results/data/cifar10.npz",
                "results/tables/runs.tsv", "results/tables/dropout_vs_test_loss.tsv",
                "results/plots/dropout_vs_test_loss.png", "logs/download_cifar10.log",
                "logs/prepare_data.log", "logs/aggregate.log", "benchmarks/prepare_data.tsv"]
    for run in RUNS:
        expected += [f"results/train/{run}/{name}"
                     for name in ("model.keras", "history.tsv", "summary.txt")]
        expected += [f"results/evaluate/{run}/metrics.json", f"results/plots/{run}/accuracy.png",
                     f"results/plots/{run}/loss.png", f"logs/train/{run}.log",
                     f"logs/evaluate/{run}.log", f"benchmarks/train/{run}.tsv"]
    missing = [path for path in expected if not (finished / path).is_file()]
    assert missing == []
    assert all((finished / path).stat().st_size > 0 for path in expected if "logs/" not in path)


def test_a_second_run_plans_nothing(finished):
    result = snakemake(finished, "--dry-run")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_the_runs_table(finished):
    runs = pd.read_csv(finished / "results/tables/runs.tsv", sep="\t")
    assert list(runs["model"]) == ["base", "base", "extra_layer", "extra_layer"]
    assert list(runs["dropout"]) == [0.0, 0.5, 0.25, 0.5]
    assert list(runs["epochs"]) == [1, 1, 2, 2]
    assert list(runs["parameters"]) == [114_510, 114_510, 87_060, 87_060]
    metrics = json.loads((finished / f"results/evaluate/{RUNS[2]}/metrics.json").read_text())
    assert runs.loc[2, "test_loss"] == pytest.approx(metrics["test_loss"])
    assert runs["test_accuracy"].between(0, 1).all()


def test_the_dropout_table_holds_the_sweeps(finished):
    table = pd.read_csv(finished / "results/tables/dropout_vs_test_loss.tsv", sep="\t")
    assert list(zip(table["model"], table["dropout_rate"])) == [
        ("base", 0.0), ("base", 0.5), ("extra_layer", 0.25), ("extra_layer", 0.5)]


def test_training_logs_a_line_per_epoch_and_the_backend_messages(finished):
    log = (finished / f"logs/train/{RUNS[3]}.log").read_text()
    assert "epoch 1/2" in log and "epoch 2/2" in log
    assert "2 thread(s), seed 1" in log


def test_history_and_summary(finished):
    history = pd.read_csv(finished / f"results/train/{RUNS[2]}/history.tsv", sep="\t")
    assert list(history["epoch"]) == [1, 2]
    summary = (finished / f"results/train/{RUNS[2]}/summary.txt").read_text()
    assert "Total params: 87,060" in summary and "Dropout" in summary


def test_changing_one_rate_reruns_exactly_that_run(finished, tiny_archive):
    config = yaml.safe_load((finished / "config/config.yaml").read_text())
    write_config(finished, {**config, "experiments": [
        config["experiments"][0], {**config["experiments"][1], "dropout": [0.25, 0.6]}]})
    try:
        assert planned_jobs(finished) == {"train": 1, "evaluate": 1, "plot_history": 1,
                                          "aggregate": 1, "all": 1}
    finally:
        write_config(finished, config)


def test_bad_config_stops_before_any_job(tmp_path, tiny_archive):
    config = tiny_config("http://127.0.0.1:9/none", tiny_archive)
    config["experiments"].append({"model": "base", "dropout": [0.5], "epochs": 3})
    write_config(tmp_path, config)
    result = snakemake(tmp_path, check=False)
    assert result.returncode != 0
    assert "experiments[2]: base at dropout 0.50 is already asked for by experiments[0]" \
        in result.stderr
    assert not (tmp_path / "results").exists() and not (tmp_path / "resources").exists()


def test_schema_errors_name_the_key(tmp_path, tiny_archive):
    write_config(tmp_path, tiny_config("http://127.0.0.1:9/none", tiny_archive))
    result = snakemake(tmp_path, "--config", "seeds=three", check=False)
    assert result.returncode != 0
    assert "'three' is not of type 'array'" in result.stderr and "seeds" in result.stderr
    assert not (tmp_path / "results").exists()
