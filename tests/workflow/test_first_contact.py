"""What a newcomer meets: bad input stopped before any job with the key named, every allowed
value working, one clear message when something fails, progress and a summary on the terminal."""

import re

import pandas as pd
import pytest
import yaml

from helpers import ROOT, RUN_FOLDER, Home, remedy, snakemake, tiny_config, write_config

pytestmark = pytest.mark.workflow


def one_training(archive, **changes):
    """The tiny config cut to one 1-epoch training, with `changes` to data and training."""
    config = tiny_config(archive.path.as_uri(), archive)
    config["experiments"] = [{"model": "base", "dropout": [0], "epochs": 1,
                              "figure": "04_training_history_1"}]
    for key, value in changes.items():
        section, name = key.split("__")
        config.setdefault(section, {})[name] = value
    return config


TWICE = [{"model": "extra_layer", "dropout": [0.25, 0.5], "epochs": 2},
         {"model": "extra_layer", "dropout": [0.5], "epochs": 3}]


@pytest.mark.parametrize("change, options, message", [
    ({"seeds": [4294967296]}, [], "4294967296 is greater than the maximum of 4294967295"),
    ({"training": {"validation_split": 0.99}, "data": {"n_train": 10}}, [],
     "training.validation_split: 0.99 of data.n_train 10 images leaves 0 to train on"),
    ({"experiments": TWICE}, [],
     "experiments[1]: extra_layer at dropout 0.50 is already asked for by experiments[0]"),
    ({}, ["--config", "seeds=three"], "'three' is not of type 'array'"),
    # NaN passes every bound of a JSON schema (each comparison with it is false)
    ({"experiments": [{"model": "base", "dropout": [float("nan")], "epochs": 1}]}, [],
     "config key experiments[0].dropout[0]: nan is not a number this config can use"),
    ({"training": {"validation_split": float("nan")}}, [],
     "config key training.validation_split: nan is not a number this config can use"),
    ({"experiments": [{"model": "base", "dropout": [1e-300], "epochs": 1}]}, [],
     "config key experiments[0].dropout: the rate 1e-300 has 300 decimals written out"),
    ({"training": {"batch_size": 2**70}}, [], "is greater than the maximum of 50000"),
])
def test_bad_values_stop_before_any_job_naming_the_key(tmp_path, tiny_archive, change, options,
                                                      message):
    config = tiny_config(tiny_archive.path.as_uri(), tiny_archive)
    for key, value in change.items():
        config[key] = {**config.get(key, {}), **value} if isinstance(value, dict) else value
    write_config(tmp_path, config)
    result = snakemake(tmp_path, *options, check=False)
    assert result.returncode != 0 and message in result.stdout + result.stderr
    assert not (tmp_path / "results").exists() and not (tmp_path / "resources").exists()


def test_a_tiny_subsample_works_end_to_end(tmp_path, tiny_archive):
    """Five images, fewer than a batch and than the sample grid: trained, evaluated, tabled, its
    sample grid drawn and its claims checked."""
    write_config(tmp_path, one_training(tiny_archive, data__n_train=5))
    snakemake(tmp_path, "results/lesson/fig/04_cifar10.tsv", "results/tables/runs.tsv",
              "results/lesson/claims.tsv")
    shown = pd.read_csv(tmp_path / "results/lesson/fig/04_cifar10.tsv", sep="\t")
    assert len(shown) == 5
    assert (tmp_path / "results/tables/runs.tsv").is_file()
    assert (tmp_path / "results/lesson/claims.tsv").is_file()


def test_a_rate_of_any_precision_is_planned(tmp_path, tiny_archive):
    config = tiny_config(tiny_archive.path.as_uri(), tiny_archive)
    config["experiments"][1]["dropout"] = [0.00001, 0.5]
    write_config(tmp_path, config)
    out = snakemake(tmp_path, "--dry-run").stdout
    assert "results/train/extra_layer/dropout-0.00001/seed-1/model.keras" in out


def test_a_negative_zero_rate_is_the_rate_zero(tmp_path, tiny_archive):
    config = tiny_config(tiny_archive.path.as_uri(), tiny_archive)
    config["experiments"][0]["dropout"] = [-0.0]
    write_config(tmp_path, config)
    assert "-0.0" in (tmp_path / "config/config.yaml").read_text()
    out = snakemake(tmp_path, "--dry-run").stdout
    assert "results/train/base/dropout-0.00/seed-1/model.keras" in out


def test_a_target_that_the_config_does_not_make_says_what_it_makes(tmp_path, tiny_archive):
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    result = snakemake(tmp_path, "--dry-run", "results/plots/base/dropout-0.5/seed-1/loss.png",
                       check=False)
    console = result.stdout + result.stderr
    assert result.returncode != 0 and "StopIteration" not in console
    assert ("a target names the training base/dropout-0.5/seed-1, which this config does not ask "
            "for. It asks for: base at dropout 0.00; extra_layer at dropout 0.25, 0.50, 0.80; "
            "seeds 1.") in console


def test_a_config_file_that_is_not_text_is_named(tmp_path, tiny_archive):
    """Named, with the command that restores it: pasted where the run was started (a folder
    with a config of its own), it mends the run's file and no other."""
    home = Home(tmp_path, tmp_path / RUN_FOLDER)
    write_config(home.path, one_training(tiny_archive))
    write_config(home.run, one_training(tiny_archive))
    (home.run / "config/config.yaml").write_bytes(bytes(range(128, 256)))
    own = home.own_files()
    result = home.snakemake("--dry-run", check=False)
    console = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"{RUN_FOLDER}/config/config.yaml is not a text file" in console
    assert "yaml/reader.py" not in console
    home.paste(remedy(console))
    assert home.own_files() == own
    assert home.snakemake("--dry-run").returncode == 0


def test_a_configfile_option_that_is_not_text_fails_as_the_readme_says(tmp_path, tiny_archive):
    """Snakemake reads --configfile before the workflow can look: README, Troubleshooting."""
    write_config(tmp_path, one_training(tiny_archive))
    (tmp_path / "mine.yaml").write_bytes(bytes(range(128, 256)))
    result = snakemake(tmp_path, "--dry-run", "--configfile", str(tmp_path / "mine.yaml"),
                       check=False)
    console = result.stdout + result.stderr
    assert result.returncode != 0
    assert "UnicodeDecodeError" in console and "load_configfile" in console
    assert "UnicodeDecodeError" in (ROOT / "README.md").read_text()


def test_an_offline_download_fails_with_one_message_and_no_traceback(tmp_path, tiny_archive):
    config = one_training(tiny_archive)
    config["data"]["url"] = "http://127.0.0.1:9/cifar-10-python.tar.gz"  # nothing listens
    write_config(tmp_path, config)
    result = snakemake(tmp_path, check=False)
    console = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in console
    message = "downloading http://127.0.0.1:9/cifar-10-python.tar.gz failed 4 times"
    # said as it fails, and again in the run's last words; nowhere else
    assert console.count(message) == 2
    assert any(line.startswith(f"Failed: download_data: {message}")
               for line in console.splitlines())
    last_lines = console.splitlines()[-8:]
    assert "The run stopped: 1 job(s) failed." in last_lines
    assert any(line.startswith("  download_data: " + message)
               and line.endswith("(log: logs/download_data.log)") for line in last_lines)


def test_what_jobs_print_goes_to_their_logs_not_the_terminal(finished):
    """TensorFlow's start-up lines, warnings and all: the terminal shows Snakemake's lines, the
    trainings' progress and the summary, and none of the lines in the jobs' logs."""
    console = set((finished / "console.log").read_text().splitlines())
    for log in (finished / "logs").rglob("*.log"):
        printed = [line for line in log.read_text().splitlines()
                   if line.strip() and " cnn_lesson.progress: " not in line]
        assert [line for line in printed if line in console] == [], log


def test_the_terminal_shows_progress_and_a_summary(finished):
    console = (finished / "console.log").read_text()
    assert re.search(r"^train extra_layer/dropout-0\.50/seed-1  epoch 2/2  loss \d\.\d{4}  "
                     r"val_loss \d\.\d{4}  \d+\.\d s$", console, re.MULTILINE)
    assert f"Memory: " in console and "MB available" in console
    runs = pd.read_csv(finished / "results/tables/runs.tsv", sep="\t")
    tail = console[console.index("\nFinished.\n"):]
    for row in runs.itertuples():
        assert f"test loss {row.test_loss:.4f}  accuracy {row.test_accuracy:.4f}" in tail
    assert "Dropout rate chosen for extra_layer: " in tail and "one seed" in tail
    assert f"Report: snakemake --snakefile {ROOT / 'Snakefile'} --directory {finished} " \
           f"--report report.html" in tail


def test_the_terminal_has_no_scheduler_chatter_and_the_log_file_keeps_it(finished):
    """A learner reads the epochs and the summary, not 'Select jobs to execute...' a dozen times;
    Snakemake's log of the run keeps every line."""
    console = (finished / "console.log").read_text()
    kept = "".join(log.read_text() for log in (finished / ".snakemake/log").glob("*.log"))
    for chatter in ("Select jobs to execute...", "Execute 1 jobs...", "rule train:",
                    "Finished jobid: "):
        assert chatter not in console and chatter in kept, chatter
    assert re.search(r"^aggregate done: \d+ of \d+ jobs done \(\d+%\), \d:\d\d:\d\d so far",
                     console, re.MULTILINE), "a line per job done where the output is no terminal"
    assert re.search(r"^\S+.* done: (\d+) of \1 jobs done \(100%\)", console, re.MULTILINE)


def test_no_empty_checkpoint_folders_are_left(finished):
    assert not (finished / "checkpoints").exists()


def test_a_report_with_another_config_is_warned_about(finished, tmp_path):
    config = yaml.safe_load((finished / "config/config.yaml").read_text())
    config["seeds"] = [1, 2]
    (tmp_path / "other.yaml").write_text(yaml.safe_dump(config))
    result = snakemake(finished, "--dry-run", "--configfile", str(tmp_path / "other.yaml"))
    warning = "results/tables/runs.tsv lists other trainings than this config asks for"
    assert warning in result.stdout + result.stderr
    same = snakemake(finished, "--dry-run")
    assert warning not in same.stdout + same.stderr
