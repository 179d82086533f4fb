"""What a run prints: each failed job's cause (cnn_lesson.workflow.causes), the end summary and
the commands it prints (summary), and the terminal's pieces (terminal)."""

import shlex
import string

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cnn_lesson.claims import CANNOT_TELL, FAILS, HOLDS
from cnn_lesson.workflow import causes, summary, terminal
from cnn_lesson.workflow.causes import Failure
from cnn_lesson.workflow.command import Remedies
from cnn_lesson.workflow.config import numbers_read_as_text

# TensorFlow's start-up line on a machine without a GPU: it holds " ERROR " and is no cause
CUDA_NOISE = ("2026-12-04 03:10:11.123456: E external/local_xla/xla/stream_executor/cuda/"
              "cuda_driver.cc:152] failed call to cuInit: INTERNAL: CUDA error: Failed call to "
              "cuInit: UNKNOWN ERROR (303)")
OWN = "2026-12-04 03:10:12,000 ERROR cnn_lesson: {}"
KILLED = ("RuleException:\nCalledProcessError in file \"Snakefile\", line 6:\nCommand 'set -euo "
          "pipefail;  python3 train.py' died with <Signals.SIGKILL: 9>.")
EXITED = "Command 'python3 train.py' returned non-zero exit status 1."

noise = st.text(string.ascii_letters + string.digits + " :.()[]/_-", max_size=80)


def log_with(tmp_path, *lines) -> str:
    path = tmp_path / "job.log"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


@given(lines=st.lists(noise | st.just(CUDA_NOISE), max_size=8))
def test_library_noise_is_never_the_cause(tmp_path_factory, lines):
    assume(not any(causes.OWN_ERROR.match(line) for line in lines))
    log = log_with(tmp_path_factory.mktemp("log"), *lines)
    cause = Failure("train", logs=[log], error=EXITED).cause()
    assert cause == "its process ended with status 1 and logged no error"
    assert "CUDA" not in Failure("train", logs=[log], error=KILLED).cause()


@given(before=st.lists(noise, max_size=5), message=noise.filter(str.strip))
def test_the_codes_own_error_is_the_cause(tmp_path_factory, before, message):
    log = log_with(tmp_path_factory.mktemp("log"), CUDA_NOISE, *before, OWN.format(message))
    assert Failure("train", logs=[log], error=EXITED).cause() == message


def test_an_unexpected_error_is_its_tracebacks_last_line(tmp_path):
    log = log_with(tmp_path, CUDA_NOISE, OWN.format("failed"), "Traceback (most recent call last):",
                   '  File "train.py", line 3', "ValueError: the shapes differ")
    assert Failure("train", logs=[log], error=EXITED).cause() == "ValueError: the shapes differ"


def test_a_kill_is_the_cause_though_an_earlier_attempt_logged_an_error(tmp_path):
    log = log_with(tmp_path, OWN.format("an earlier attempt's bad input"), CUDA_NOISE)
    cause = Failure("train", logs=[log], error=KILLED).cause()
    assert cause.startswith("killed by signal 9 (SIGKILL)") and "out-of-memory" in cause


@pytest.mark.parametrize("status, words", [
    ("TIMEOUT", "ran past its time limit"), ("OUT_OF_MEMORY", "ran out of memory"),
    ("CANCELLED", "was cancelled"), ("NODE_FAIL", "lost its node")])
def test_a_slurm_status_is_said_in_words_with_what_to_ask(tmp_path, status, words):
    message = f"SLURM-job '12' failed, SLURM status is: '{status}'. Reason: Step 0: None."
    cause = Failure("train", logs=[log_with(tmp_path, CUDA_NOISE)], message=message).cause()
    assert cause.startswith(words)
    if status in ("TIMEOUT", "OUT_OF_MEMORY"):
        assert "--set-resources train:" in cause


def test_a_failed_slurm_job_is_its_logs_error(tmp_path):
    log = log_with(tmp_path, OWN.format("data.n_train is 0: give it 1 or more"))
    message = "SLURM-job '12' failed, SLURM status is: 'FAILED'. Reason: Step 0: NonZeroExitCode."
    assert Failure("train", logs=[log], message=message).cause() == \
        "data.n_train is 0: give it 1 or more"


def test_the_summary_names_each_job_its_cause_and_log(tmp_path):
    log = log_with(tmp_path, CUDA_NOISE)
    text = causes.summary([Failure("train", "base/dropout-0.00/seed-1", [log], error=KILLED)])
    lines = text.splitlines()
    assert lines[1] == "The run stopped: 1 job(s) failed."
    assert lines[2].startswith("  train base/dropout-0.00/seed-1: killed by signal 9")
    assert lines[2].endswith(f"(log: {log})")


folder_names = st.text(string.ascii_letters + " éü'\"$;&()*!", min_size=1, max_size=12)


@given(targets=st.lists(folder_names, max_size=2), configs=st.lists(folder_names, max_size=3),
       folder=folder_names, edition=st.sampled_from([[], ["edition=dollar_street_10"]]))
def test_a_printed_report_command_is_read_back_as_it_was_made(targets, configs, folder,
                                                              edition):
    """Whatever the folder and file names hold (spaces, accents, quotes, $), the shell gives
    snakemake the same words, and the targets come before any option's list."""
    options = ["--directory", f"/tmp/{folder}", *(["--config", *edition] if edition else []),
               *(["--configfile", *configs] if configs else [])]
    line = Remedies(options).report(targets)
    assert shlex.split(line) == ["snakemake", *targets, *options, "--report", "report.html"]


def test_the_claims_are_counted_by_verdict(tmp_path):
    table = tmp_path / "claims.tsv"
    pd.DataFrame({"verdict": [HOLDS] * 3 + [FAILS] * 2 + [CANNOT_TELL]}).to_csv(
        table, sep="\t", index=False)
    assert summary.claims_line(table) == \
        f"6 claims: 3 hold, 2 do not hold, 1 cannot tell: {tmp_path / 'claims.md'}"


def test_figures_another_config_left_are_named(tmp_path):
    for name in ("04_a.png", "04_a.tsv", "04_b.png"):
        (tmp_path / name).write_text("")
    assert summary.stray_figures(tmp_path, [f"{tmp_path}/04_a.png", f"{tmp_path}/04_a.tsv"]) \
        == ["04_b.png"]
    assert summary.stray_figures(tmp_path / "none", []) == []


def test_a_tie_is_said_in_words():
    row = pd.Series({"model": "extra_layer", "chosen_rate": 0.6, "chosen_on": "validation loss",
                     "seeds": 3, "test_loss_mean": 1.28, "test_loss_sd": 0.05,
                     "within_one_sd": "0.45"})
    line = summary.chosen_line(row)
    assert "0.6, on validation loss" in line and "0.45 cannot be told apart from it" in line


@given(done=st.integers(0, 500), more=st.integers(0, 500), elapsed=st.floats(0, 1e5))
def test_progress_says_done_of_all_and_time_left_only_once_it_can(done, more, elapsed):
    total = done + more
    text = terminal.progress_text(done, total, elapsed)
    assert text.startswith(f"{done} of {total} jobs done (")
    assert ("left" in text) == (0 < done < total)
    assert terminal.bar(done, total, elapsed).count("#") == terminal.BAR_WIDTH * done // max(
        total, 1)


def test_config_files_that_hold_no_mapping_are_named(tmp_path):
    files = {"empty.yaml": "", "list.yaml": "- 1\n", "one.yaml": "3\n", "good.yaml": "a: 1\n"}
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    argv = ["--cores", "1", "--configfile", *(str(tmp_path / name) for name in files), "-n"]
    named = terminal.config_files_not_mappings(argv)
    assert named == [f"{tmp_path / 'empty.yaml'} (it holds nothing)",
                     f"{tmp_path / 'list.yaml'} (it holds a list)",
                     f"{tmp_path / 'one.yaml'} (it holds the single value 3)"]


SCHEMA = {"type": "object", "properties": {
    "rate": {"type": "number"},
    "runs": {"type": "array", "items": {"type": "object", "properties": {
        "dropout": {"type": "array", "items": {"type": "number"}}}}}}}


@given(mantissa=st.integers(1, 999), exponent=st.integers(-9, 9))
def test_a_number_yaml_reads_as_text_is_named_by_its_key(mantissa, exponent):
    """PyYAML (YAML 1.1) reads 15e-3 as text and 15.0e-3 as a number."""
    import yaml

    for text, as_text in ((f"{mantissa}e{exponent}", True), (f"{mantissa}.0e{exponent:+d}", False)):
        value = yaml.safe_load(f"rate: {text}")["rate"]
        assert isinstance(value, str) == as_text
        config = {"rate": value, "runs": [{"dropout": [0.5, value]}]}
        found = numbers_read_as_text(config, SCHEMA, "training")
        assert found == ([f"training.rate: {value!r}", f"training.runs.0.dropout.1: {value!r}"]
                         if as_text else [])
