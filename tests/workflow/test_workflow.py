"""The real workflow, end to end, with snakemake on a tiny archive served over HTTP."""

import json
import re
import shutil
import subprocess
from importlib import metadata

import pandas as pd
import pytest
import yaml

from cnn_lesson import claims, lesson
from cnn_lesson.edition import load
from cnn_lesson.workflow import integrity, provenance, sources
from helpers import ROOT, browser_dom, planned_jobs, snakemake, tiny_config, write_config
from servers import Route, Server

RUNS = ["base/dropout-0.00/seed-1", "extra_layer/dropout-0.25/seed-1",
        "extra_layer/dropout-0.50/seed-1", "extra_layer/dropout-0.80/seed-1"]
LESSON_FILES = [f"results/lesson/fig/{name}.{ext}" for ext in ("png", "tsv") for name in (
    "04_cifar10", "04_conv_matrix", "04_conv_image", "04_training_history_1",
    "04_training_history_3", "04_vary_dropout_rate")] + [
    "results/lesson/fig/04_training_history_loss_1.png",
    "results/lesson/fig/04_training_history_loss_3.png",
    "results/lesson/parameters.tsv", "results/lesson/parameters.md",
    "results/lesson/evaluate_dropout_model.txt", "results/lesson/figures.md",
    "results/lesson/claims.tsv", "results/lesson/claims.md",
    *[f"results/lesson/summaries/{name}.txt" for name in ("small", "base", "extra_layer",
                                                          "dropout")]]

pytestmark = pytest.mark.workflow


def test_every_expected_file_is_written(finished):
    expected = ["resources/cifar-10-python.tar.gz", "results/data/cifar10.npz",
                "results/data/cifar10.json", "results/tables/environments.tsv",
                "results/tables/runs.tsv", "results/tables/dropout_vs_test_loss.tsv",
                "results/tables/runs_summary.tsv", "results/tables/chosen_dropout.tsv",
                *LESSON_FILES,
                "results/plots/dropout_vs_test_loss.png", "logs/download_data.log",
                "logs/prepare_data.log", "logs/aggregate.log", "benchmarks/prepare_data.tsv"]
    for run in RUNS:
        expected += [f"results/train/{run}/{name}"
                     for name in (*integrity.TRAINING_FILES, integrity.TRAINING_RECORD)]
        expected += [f"results/evaluate/{run}/metrics.json", f"results/plots/{run}/accuracy.png",
                     f"results/plots/{run}/loss.png", f"logs/train/{run}.log",
                     f"logs/evaluate/{run}.log", f"benchmarks/train/{run}.tsv"]
    missing = [path for path in expected if not (finished / path).is_file()]
    assert missing == []
    assert all((finished / path).stat().st_size > 0 for path in expected if "logs/" not in path)


def test_a_second_run_plans_nothing(finished):
    result = snakemake(finished, "--dry-run")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_runs_tsv_holds_every_run_with_its_test_metrics(finished):
    runs = pd.read_csv(finished / "results/tables/runs.tsv", sep="\t")
    assert list(runs["model"]) == ["base", "extra_layer", "extra_layer", "extra_layer"]
    assert list(runs["dropout"]) == [0.0, 0.25, 0.5, 0.8]
    assert list(runs["epochs"]) == [1, 2, 2, 1]
    assert list(runs["parameters"]) == [114_510, 87_060, 87_060, 87_060]
    metrics = json.loads((finished / f"results/evaluate/{RUNS[2]}/metrics.json").read_text())
    assert runs.loc[2, "test_loss"] == pytest.approx(metrics["test_loss"])
    # The lesson's way: validation data is the test split, so the two agree.
    assert runs.loc[2, "val_loss"] == pytest.approx(metrics["test_loss"], rel=1e-5)
    assert runs["test_accuracy"].between(0, 1).all()


def test_the_dropout_table_holds_the_sweeps(finished):
    table = pd.read_csv(finished / "results/tables/dropout_vs_test_loss.tsv", sep="\t")
    assert list(zip(table["model"], table["dropout_rate"])) == [
        ("extra_layer", 0.25), ("extra_layer", 0.5)]
    lesson = pd.read_csv(finished / "results/lesson/fig/04_vary_dropout_rate.tsv", sep="\t")
    assert lesson.equals(table)
    chosen = pd.read_csv(finished / "results/tables/chosen_dropout.tsv", sep="\t")
    assert chosen.loc[0, "chosen_rate"] == table.loc[table["val_loss"].idxmin(), "dropout_rate"]


def test_a_training_logs_its_settings_and_a_line_per_epoch(finished):
    log = (finished / f"logs/train/{RUNS[2]}.log").read_text()
    assert "epoch 1/2" in log and "epoch 2/2" in log
    assert "1 thread(s), seed 1" in log


def git(*args) -> str:
    done = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def test_every_training_records_what_made_it(finished):
    record = json.loads((finished / f"results/train/{RUNS[2]}/provenance.json").read_text())
    assert record["training"] | {"data": None} == {
        "model": "extra_layer", "dropout": 0.5, "seed": 1, "epochs": 2, "batch_size": 32,
        "validation_split": 0, "validation_batch_size": None, "backend": None, "data": None,
        "edition": "cifar10", "patience": None, "folder": RUNS[2]}
    assert "the first 200 training images of the archive with md5" in record["training"]["data"]
    assert record["config_digest"] == provenance.json_digest(record["training"])[:12]
    # the checksums its data was checked against, and where they came from
    assert record["data"]["from"] == "the config"
    assert set(record["data"]["checksums"]) == {"md5", "sha256"}
    environment = record["environment"]
    assert environment == provenance.environment("tensorflow", threads=1)
    assert record["environment_id"] == provenance.environment_id(environment)
    code = sources.code_files(ROOT / "workflow/scripts/train.py")
    ran = [str(path.relative_to(ROOT)) for path in code]
    assert record["workflow"] == {
        "version": metadata.version("cnn-lesson"), "commit": git("rev-parse", "HEAD"),
        # whether any file of the code that ran differs from the commit, or is not in it
        "dirty": bool(git("status", "--porcelain", "--untracked-files=all", "--", *ran))
        or len(git("ls-files", "--", *ran).split()) < len(ran),
        "code": {sources.label(path, ROOT): sources.code_digest(path) for path in code}}
    params = sources.code_params(ROOT / "workflow/scripts/train.py", ROOT)
    assert sorted(params.values()) == sorted(
        f"code of {name}: {digest}" for name, digest in record["workflow"]["code"].items())


def test_every_training_records_the_size_and_checksum_of_what_it_wrote(finished):
    for run in RUNS:
        folder = finished / "results/train" / run
        record = json.loads((folder / integrity.TRAINING_RECORD).read_text())
        assert record == integrity.training_checksums(folder)
        integrity.check_training(folder)


def test_the_tables_name_the_environment_once(finished):
    runs = pd.read_csv(finished / "results/tables/runs.tsv", sep="\t", dtype={"environment": str})
    record = json.loads((finished / f"results/train/{RUNS[0]}/provenance.json").read_text())
    assert set(runs["environment"]) == {record["environment_id"]}
    assert "threads" not in runs  # no field differs between the runs
    environments = pd.read_csv(finished / "results/tables/environments.tsv", sep="\t",
                               dtype=str).set_index("field")
    assert list(environments.columns) == [record["environment_id"]]
    assert environments.loc["runs"].iloc[0] == "4"
    assert environments.loc["tensorflow"].iloc[0] == record["environment"]["tensorflow"]
    summary = pd.read_csv(finished / "results/tables/runs_summary.tsv", sep="\t")
    assert set(summary["environments"]) == {1}


def test_a_training_writes_its_history_and_the_lessons_summary(finished):
    history = pd.read_csv(finished / f"results/train/{RUNS[2]}/history.tsv", sep="\t")
    assert list(history["epoch"]) == [1, 2]
    summary = (finished / f"results/train/{RUNS[2]}/summary.txt").read_text()
    assert "Total params: 87,060" in summary and "Dropout" in summary


def test_the_episodes_numbers_are_files(finished):
    parameters = pd.read_csv(finished / "results/lesson/parameters.tsv", sep="\t")
    expected = lesson.parameter_table(load("cifar10"))  # its numbers: tests/unit/test_lesson.py
    assert parameters["parameters"].tolist() == expected["parameters"].tolist()
    assert parameters["episode_wrong"].tolist() == expected["episode_wrong"].tolist()
    metrics = json.loads((finished / f"results/evaluate/{RUNS[3]}/metrics.json").read_text())
    line = (finished / "results/lesson/evaluate_dropout_model.txt").read_text().strip()
    assert line == f"4/4 - loss: {metrics['test_loss']:.4f} - accuracy: " \
                   f"{metrics['test_accuracy']:.4f}"
    history = pd.read_csv(finished / "results/lesson/fig/04_training_history_3.tsv", sep="\t")
    train = pd.read_csv(finished / f"results/train/{RUNS[3]}/history.tsv", sep="\t")
    assert history.drop(columns="seed").equals(train)


def test_evaluate_reads_the_lessons_validation_from_the_history(finished):
    for run in RUNS:
        metrics = json.loads((finished / f"results/evaluate/{run}/metrics.json").read_text())
        last = pd.read_csv(finished / f"results/train/{run}/history.tsv", sep="\t").iloc[-1]
        assert (metrics["test_loss"], metrics["test_accuracy"]) == (last["val_loss"],
                                                                    last["val_accuracy"])
        log = (finished / f"logs/evaluate/{run}.log").read_text()
        assert "from the last epoch's validation on the test split" in log
        assert "oneDNN" not in log  # TensorFlow was not started


def test_with_held_out_validation_evaluate_runs_the_model(tmp_path, tiny_archive):
    config = tiny_config(tiny_archive.path.as_uri(), tiny_archive)
    config["experiments"] = config["experiments"][:1]
    config["training"] = {"validation_split": 0.25}
    write_config(tmp_path, config)
    snakemake(tmp_path, f"results/evaluate/{RUNS[0]}/metrics.json")
    metrics = json.loads((tmp_path / f"results/evaluate/{RUNS[0]}/metrics.json").read_text())
    last = pd.read_csv(tmp_path / f"results/train/{RUNS[0]}/history.tsv", sep="\t").iloc[-1]
    assert metrics["test_images"] == 100 and metrics["test_loss"] != last["val_loss"]
    log = (tmp_path / f"logs/evaluate/{RUNS[0]}.log").read_text()
    assert "from the last epoch's validation" not in log and "4/4 - loss:" in log


def test_every_claim_has_a_row_and_one_seed_tells_only_facts(finished):
    """The tiny config trains one seed, 1-2 epochs, on random images: the facts of the data and
    the models are decided, every statement about trainings cannot be told."""
    table = pd.read_csv(finished / "results/lesson/claims.tsv", sep="\t")
    assert list(table.columns) == claims.COLUMNS
    assert len(table) == len(set(table["claim"])) == 22
    assert set(table["verdict"]) <= {claims.HOLDS, claims.FAILS, claims.CANNOT_TELL}
    trainings = table[table["seeds"].astype(str) != "-"]
    assert set(trainings["verdict"]) == {claims.CANNOT_TELL} and len(trainings) == 9
    facts = table.set_index("claim")["verdict"]
    assert facts["sample_shape"] == claims.FAILS  # 200 images, not the lesson's 5000
    assert facts["features"] == facts["labels"] == claims.HOLDS
    assert facts["total_base"] == claims.FAILS and facts["total_dropout"] == claims.HOLDS
    counts = claims.verdict_counts(table)
    assert counts in (finished / "results/lesson/claims.md").read_text()


def test_the_documented_claims_command_trains_only_the_new_seeds(finished):
    """docs/lesson.md's command, as written there, on a finished one-seed run: seeds 2 and 3 of
    every run behind a figure are trained, seed 1's are reused, and the claims are made again."""
    command = re.search(r"^snakemake --cores all (lesson --configfile \S+)$",
                        (ROOT / "docs/lesson.md").read_text(), re.MULTILINE).group(1).split()
    command[-1] = str(ROOT / command[-1])
    out = snakemake(finished, *command, "--dry-run").stdout  # as written
    planned = planned_jobs(finished, f"--configfile={command[-1]}", "lesson")
    assert planned["train"] == 2 * 4 and planned["lesson_claims"] == 1
    assert "seed-2/model.keras" in out and "seed-1/model.keras" not in out


ALT_LINE = re.compile(r'^!\[\]\(\.\./fig/(.+)\.png\)\{alt="(.+)"\}$')


def test_figures_md_has_a_line_per_figure_with_numbers_from_its_table(finished):
    fig = finished / "results/lesson/fig"
    lines = (finished / "results/lesson/figures.md").read_text().split("\n\n")
    alts = dict(ALT_LINE.match(line.strip()).groups() for line in lines)
    assert sorted(alts) == sorted(path.stem for path in fig.glob("*.png"))
    sweep = pd.read_csv(fig / "04_vary_dropout_rate.tsv", sep="\t")
    mean = sweep.groupby("dropout_rate")["test_loss"].mean()
    assert (f"varies between {mean.min():.2f} and {mean.max():.2f} and is lowest with a "
            f"dropout_rate around {mean.idxmin():g}.") in alts["04_vary_dropout_rate"]
    history = pd.read_csv(fig / "04_training_history_1.tsv", sep="\t").groupby("epoch").mean()
    assert (f"the training loss goes from {history['loss'].iloc[0]:.2f} to "
            f"{history['loss'].iloc[-1]:.2f}") in alts["04_training_history_loss_1"]
    assert f"the validation accuracy from {history['val_accuracy'].iloc[0]:.2f}" \
        in alts["04_training_history_1"]
    classes = pd.read_csv(fig / "04_cifar10.tsv", sep="\t")["class_name"].nunique()
    assert f"{classes} of the 10 categories appear" in alts["04_cifar10"]


def test_the_lesson_target_is_up_to_date_and_names_only_configured_figures(finished):
    result = snakemake(finished, "lesson", "--dry-run")
    assert "Nothing to be done" in result.stdout + result.stderr
    assert not (finished / "results/lesson/fig/04_training_history_2.png").exists()


def test_changing_one_rate_reruns_exactly_that_training(finished, tmp_path):
    workdir = tmp_path / "copy"
    shutil.copytree(finished, workdir, symlinks=True)
    config = yaml.safe_load((workdir / "config/config.yaml").read_text())
    experiments = list(config["experiments"])
    experiments[1] = {**experiments[1], "dropout": [0.25, 0.6]}
    write_config(workdir, {**config, "experiments": experiments})
    # and what is made from the sweep: its figure, the figures' alt text, the claims
    assert planned_jobs(workdir) == {"train": 1, "evaluate": 1, "plot_history": 1,
                                     "aggregate": 1, "lesson_dropout": 1, "lesson_figures": 1,
                                     "lesson_claims": 1, "all": 1}


@pytest.fixture(scope="module")
def reported(finished, tmp_path_factory):
    """A copy of the finished tiny run (the shared one is only read), with its report."""
    folder = tmp_path_factory.mktemp("reported")
    shutil.copytree(finished, folder, symlinks=True, dirs_exist_ok=True)
    snakemake(folder, "--report", "report.html")
    return folder


@pytest.fixture(scope="module")
def report(reported):
    return reported / "report.html"


def test_the_report_holds_every_figure(report, finished):
    html = report.read_text()
    figures = [path.split("/")[-1] for path in LESSON_FILES if path.endswith(".png")]
    missing = [name for name in figures + ["dropout_vs_test_loss.png", "accuracy.png",
                                           "loss.png", "runs.tsv", "parameters.tsv"]
               if name not in html]
    assert missing == []
    assert "The horizontal-edge kernel slid over a small single-channel matrix" in html


def test_the_report_as_zip(reported):
    import zipfile

    snakemake(reported, "--report", "report.zip")
    with zipfile.ZipFile(reported / "report.zip") as archive:
        names = archive.namelist()
    assert any(name.endswith("04_conv_matrix.png") for name in names)
    assert any(name.endswith("report.html") for name in names)


def test_the_report_renders_in_a_real_browser(report, tmp_path):
    result = browser_dom(report.as_uri(), tmp_path)
    console = [line for line in result.stderr.splitlines() if ":CONSOLE" in line]
    assert not [line for line in console if "Uncaught" in line or "Error" in line], console
    # The page body is empty until its script runs: rendered navigation proves it ran.
    dom = result.stdout
    assert '<div id="app"><div' in dom
    assert "The episode's figures</" in dom and "Training history</" in dom


# Opens one result of the report the way a click does (the report's own app.showResultInfo), in
# a frame of the same origin, and copies what the report then shows into this page.
OPEN_RESULT = """<!doctype html><html><body>
<iframe id="report" src="report.html" style="width:1400px;height:1000px"></iframe>
<div id="shown"></div>
<script>
const frame = document.getElementById("report");
frame.addEventListener("load", () => setTimeout(() => {
  frame.contentWindow.eval('app.showResultInfo(' + JSON.stringify("RESULT") + ')');
  setTimeout(() => {
    document.getElementById("shown").innerHTML =
      frame.contentDocument.getElementById("app").innerHTML;
  }, 500);
}, 500));
</script></body></html>"""


def test_the_report_shows_the_environment_of_the_runs(report, finished, tmp_path):
    server = Server()
    server.routes["/report.html"] = Route(report.read_bytes(), content_type="text/html")
    page = OPEN_RESULT.replace("RESULT", "results/tables/environments.tsv")
    server.routes["/open.html"] = Route(page.encode(), content_type="text/html")
    try:
        dom = browser_dom(server.url("/open.html"), tmp_path).stdout
    finally:
        server.close()
    shown = dom[dom.index('id="shown"'):]
    record = json.loads((finished / f"results/train/{RUNS[0]}/provenance.json").read_text())
    environment = record["environment"]
    assert f'<th class="head">{record["environment_id"]}</th>' in shown
    for field in ("tensorflow", "keras", "numpy", "isa"):
        assert f"<td>{field}</td>\n<td>{environment[field]}</td>" in shown
