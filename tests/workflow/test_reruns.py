"""What reruns after a change, on the real workflow: code edits rerun the jobs whose code they
touch, new dates rerun nothing, and a damaged intermediate stops the run before it costs work."""

import shutil
import time
from pathlib import Path

import pytest
import yaml

from helpers import ROOT, fresh_clone, home_with, planned_jobs, remedy, snakemake, write_config

pytestmark = pytest.mark.workflow
TRAININGS_AND_BELOW = {
    "train": 4, "evaluate": 4, "plot_history": 4, "aggregate": 1, "lesson_history": 2,
    "lesson_history_loss": 2, "lesson_dropout": 1, "lesson_evaluate_line": 1, "lesson_figures": 1, "lesson_claims": 1,
    "all": 1}
# What else imports each module: the episode's model tables build models, its sample grid reads
# the prepared data.
ALSO_RERUN = {"models.py": {"lesson_numbers": 1},
              "training.py": {}, "backend.py": {},
              "data.py": {"prepare_data": 1, "lesson_sample_images": 1}}


def edit(path: Path, text: str) -> None:
    path.write_text(path.read_text() + text)


def copy_of(finished, tmp_path) -> Path:
    """A copy of the finished tiny workflow, Snakemake's records and file dates included, in a
    folder whose name the printed commands must quote."""
    workdir = tmp_path / "a copy, été"
    shutil.copytree(finished, workdir, symlinks=True)
    return workdir


def dry_run(workdir, root=ROOT) -> str:
    result = snakemake(workdir, "--dry-run", root=root)
    return result.stdout + result.stderr


def test_a_fresh_clone_of_the_same_code_reruns_nothing(finished, tmp_path):
    clone = fresh_clone(tmp_path)
    assert "Nothing to be done" in dry_run(finished, root=clone)


def test_new_dates_on_every_file_rerun_nothing(finished, tmp_path):
    workdir, clone = copy_of(finished, tmp_path), fresh_clone(tmp_path)
    time.sleep(0.01)
    for path in [*workdir.rglob("*"), *clone.rglob("*")]:
        if path.is_file() and ".snakemake" not in path.parts:
            path.touch()
    assert "Nothing to be done" in dry_run(workdir, root=clone)


def test_a_comment_reruns_nothing(finished, tmp_path):
    clone = fresh_clone(tmp_path)
    edit(clone / "src/cnn_lesson/models.py", "\n# A note for the next maintainer.\n")
    assert "Nothing to be done" in dry_run(finished, root=clone)


def test_a_plotting_change_reruns_the_plots_not_the_trainings(finished, tmp_path):
    clone = fresh_clone(tmp_path)
    edit(clone / "src/cnn_lesson/plots.py", "\nEDITED = True\n")
    assert planned_jobs(finished, root=clone) == {
        "plot_history": 4, "aggregate": 1, "lesson_history": 2, "lesson_history_loss": 2,
        "lesson_dropout": 1, "lesson_sample_images": 1, "lesson_figures": 1,
        "all": 1}  # the figures' tables too
    reason = dry_run(finished, root=clone)
    assert "Params have changed since last execution" in reason
    assert "before: 'code of cnn_lesson/plots.py: " in reason


@pytest.mark.parametrize("module", sorted(ALSO_RERUN))
def test_a_training_change_reruns_the_trainings_and_all_below(finished, tmp_path, module):
    clone = fresh_clone(tmp_path)
    edit(clone / "src/cnn_lesson" / module, "\nEDITED = True\n")
    assert planned_jobs(finished, root=clone) == {**TRAININGS_AND_BELOW, **ALSO_RERUN[module]}
    assert f"code of cnn_lesson/{module}: " in dry_run(finished, root=clone)


def test_an_editions_words_rerun_its_claims_and_its_models_their_trainings(finished, tmp_path):
    """The trainings depend on the edition's MODELS (and what they use), not on the rest of
    its module: a claim's words rerun the jobs that read the whole module; a builder's code
    reruns the trainings too."""
    clone = fresh_clone(tmp_path)
    edition = clone / "src/cnn_lesson/editions/cifar10.py"
    text = edition.read_text()
    edition.write_text(text.replace("the last dense layer has the most parameters",
                                    "the last dense layer has most parameters"))
    assert planned_jobs(finished, root=clone) == {"lesson_numbers": 1, "lesson_claims": 1,
                                                  "all": 1}
    assert "code of cnn_lesson/editions/cifar10.py: " in dry_run(finished, root=clone)
    edition.write_text(text.replace("if rate > 0 else x", "if rate > 0.0 else x"))
    planned = planned_jobs(finished, root=clone)
    assert planned["train"] == 4 and "prepare_data" not in planned
    assert "code of cnn_lesson/editions/cifar10.py (MODELS): " in dry_run(finished, root=clone)


def test_a_script_change_reruns_its_rule(finished, tmp_path):
    clone = fresh_clone(tmp_path)
    edit(clone / "workflow/scripts/lesson_convolution.py", "\nEDITED = True\n")
    # and the figures' alt text, made from its tables
    assert planned_jobs(finished, root=clone) == {"lesson_convolution": 1, "lesson_figures": 1,
                                                  "all": 1}
    assert "code of workflow/scripts/lesson_convolution.py: " in dry_run(finished, root=clone)


def finished_files(workdir: Path) -> dict:
    """Every file under results/ with its bytes and modification time."""
    return {path: (path.read_bytes(), path.stat().st_mtime_ns)
            for path in (workdir / "results").rglob("*") if path.is_file()}


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


DATA = "results/data"
# The states of results/data/ that would have cost finished trainings, what the run says, and
# whether the command it names makes the data again alone.
DAMAGED_DATA = {
    "truncated": ([(truncate, "cifar10.npz")],
                  "results/data/cifar10.npz is not the file prepare_data wrote (1,000 bytes"),
    "truncated, record lost": (
        [(truncate, "cifar10.npz"), (Path.unlink, "cifar10.json")],
        "results/data/cifar10.npz cannot be checked: its record results/data/cifar10.json, "
        "which prepare_data writes beside it, is missing."),
    "record not JSON": (
        [(lambda path: path.write_text("{not json"), "cifar10.json")],
        "its record results/data/cifar10.json, which prepare_data writes beside it, is "
        "unreadable (JSONDecodeError"),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_DATA))
def test_damaged_data_stops_the_run_and_costs_no_finished_work(finished, tmp_path, damage):
    """Run from a folder holding a finished run of its own, on a run below it: the message names
    the damaged file, and its command, pasted there, mends that run and touches no other."""
    changes, expected = DAMAGED_DATA[damage]
    home = home_with(finished, tmp_path)
    workdir, own = home.run, home.own_files()
    for change, name in changes:
        change(workdir / DATA / name)
    before = finished_files(workdir)

    failed = home.snakemake(check=False)
    message = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert expected in message
    assert "Nothing was run or deleted" in message and "Traceback" not in message
    assert finished_files(workdir) == before

    home.paste(remedy(message))
    assert home.own_files() == own
    assert "Nothing to be done" in dry_run(workdir)
    trained = {path: content for path, content in before.items() if "train" in path.parts}
    assert {path: finished_files(workdir)[path] for path in trained} == trained


def test_a_deleted_npz_costs_no_finished_training_when_a_new_one_needs_it(finished, tmp_path):
    """Snakemake reruns whatever reads a file that is made again: the .npz alone first, by the
    command the message names, pasted where the run was started."""
    home = home_with(finished, tmp_path)
    workdir, own = home.run, home.own_files()
    (workdir / DATA / "cifar10.npz").unlink()
    config = workdir / "config/config.yaml"
    config.write_text(config.read_text().replace("- 0.25\n", "- 0.25\n  - 0.3\n"))
    before = finished_files(workdir)
    assert planned_jobs(workdir)["train"] == 5  # what Snakemake would do

    failed = home.snakemake(check=False)
    message = failed.stdout + failed.stderr
    assert failed.returncode != 0
    assert ("results/data/cifar10.npz is missing and will be made again, and Snakemake would "
            "run 4 finished training(s) again because of it") in message
    assert finished_files(workdir) == before

    home.paste(remedy(message))
    assert home.own_files() == own
    assert planned_jobs(workdir)["train"] == 1  # the new rate only


def test_a_damaged_model_below_a_finished_evaluation_costs_nothing(finished, tmp_path):
    home = home_with(finished, tmp_path)
    workdir, own = home.run, home.own_files()
    run = "results/train/extra_layer/dropout-0.50/seed-1"
    truncate(workdir / run / "model.keras")
    before = finished_files(workdir)

    failed = home.snakemake(check=False)
    message = failed.stdout + failed.stderr
    assert failed.returncode != 0 and "Traceback" not in message
    assert f"{run}/model.keras is not the file train wrote (1,000 bytes" in message
    assert finished_files(workdir) == before  # its metrics.json included

    home.paste(remedy(message))  # trains it again, alone
    assert home.own_files() == own
    assert planned_jobs(workdir) == {"evaluate": 1, "aggregate": 1, "lesson_dropout": 1,
                                     "lesson_figures": 1, "lesson_claims": 1, "all": 1}
    snakemake(workdir)
    metrics = f"results/evaluate/{run.removeprefix('results/train/')}/metrics.json"
    assert (workdir / metrics).read_bytes() == before[workdir / metrics][0]


def test_an_edited_npz_of_the_right_size_is_caught_too(finished, tmp_path):
    workdir = copy_of(finished, tmp_path)
    npz = workdir / "results/data/cifar10.npz"
    content = bytearray(npz.read_bytes())
    content[-100] ^= 0xFF
    npz.write_bytes(bytes(content))
    failed = snakemake(workdir, check=False)
    assert "its content differs from when it was written" in failed.stderr


def test_a_damaged_archive_stops_the_run_and_a_verified_copy_reruns_nothing(finished, tmp_path,
                                                                            tiny_archive):
    home = home_with(finished, tmp_path)
    workdir, own = home.run, home.own_files()
    config = yaml.safe_load((workdir / "config/config.yaml").read_text())
    config["data"]["url"] = tiny_archive.path.as_uri()  # the fixture's server is closed
    write_config(workdir, config)
    archive = workdir / "resources/cifar-10-python.tar.gz"
    archive.write_bytes(archive.read_bytes()[:5000])
    before = finished_files(workdir)
    failed = home.snakemake(check=False)
    assert failed.returncode != 0
    assert "resources/cifar-10-python.tar.gz has md5 " in failed.stderr
    assert ("rm -f 'runs/hon est, l'\"'\"'été/resources/cifar-10-python.tar.gz' && snakemake "
            "--cores all resources/cifar-10-python.tar.gz") in failed.stderr
    assert finished_files(workdir) == before
    home.paste(remedy(failed.stderr))  # fetches it again: a new date, the same bytes
    assert home.own_files() == own
    assert "Nothing to be done" in dry_run(workdir)


@pytest.mark.parametrize("code", ["src/cnn_lesson/workflow/download.py",
                                  "workflow/scripts/download_data.py"])
def test_a_change_to_the_download_code_fetches_nothing_while_the_archive_verifies(
        finished, tmp_path, code):
    """The archive is fixed by its checksums: a new way to fetch it fetches nothing again, and
    so costs no job below it either."""
    clone = fresh_clone(tmp_path)
    edit(clone / code, "\nEDITED = True\n")
    assert "Nothing to be done" in dry_run(finished, root=clone)


def test_a_new_url_fetches_nothing_while_the_archive_verifies(finished, tmp_path):
    workdir = copy_of(finished, tmp_path)
    config = yaml.safe_load((workdir / "config/config.yaml").read_text())
    config["data"]["url"] = "http://127.0.0.1:9/elsewhere/cifar-10-python.tar.gz"
    write_config(workdir, config)
    assert "Nothing to be done" in dry_run(workdir)


def test_a_run_made_before_timings_trains_again_and_is_not_refused(finished, tmp_path):
    """Upgrading: trainings made before timings.json (and whose records said `run`) are checked
    as ever, then train again, with what is made from them; nothing stops the run."""
    import json

    from cnn_lesson.workflow import integrity

    workdir = copy_of(finished, tmp_path)
    for record in (workdir / "results/train").rglob(integrity.TRAINING_RECORD):
        (record.parent / "timings.json").unlink()
        provenance = record.parent / "provenance.json"
        made_by = json.loads(provenance.read_text())
        made_by["run"] = made_by.pop("training")
        provenance.write_text(json.dumps(made_by))
        record.write_text(json.dumps({name: integrity.fingerprint(record.parent / name)
                                      for name in integrity.ALWAYS_RECORDED}))
    planned = planned_jobs(workdir)
    assert planned["train"] == 4 and "download_data" not in planned
