"""A run's last words are true: a failed job's real cause, the trainings' epochs and the progress
on a terminal and in a pipe, commands that work as printed, memory named, this run's summary.

The terminal is the logger plugin `cnn-lesson` (cnn_lesson.workflow.terminal), selected by
profiles/default; the small Snakefiles here select it with --logger."""

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psutil
import pytest
import yaml

from helpers import snakemake, snakemake_command, tiny_config, write_config

pytestmark = pytest.mark.workflow

CUDA_NOISE = ("E0000 cuda_driver.cc:152] failed call to cuInit: INTERNAL: CUDA error: Failed "
              "call to cuInit: UNKNOWN ERROR (303)")
EPOCH = "2026-12-04 10:00:00,000 INFO cnn_lesson.progress: train x  epoch {}/3  loss 1.0"
SNAKEFILE = textwrap.dedent(f"""
    rule all:
        input: "trained", "killed"

    rule trained:
        output: "trained"
        log: "logs/trained.log"
        shell: "for i in 1 2 3; do echo \\"{EPOCH.format('$i')}\\" >> {{log}}; sleep 0.7; done; "
               "touch {{output}}"

    rule killed:
        output: "killed"
        log: "logs/killed.log"
        shell: "echo '{CUDA_NOISE}' > {{log}}; sleep 1; kill -9 $$"
    """)


def small_run(folder: Path, tty: bool) -> str:
    """Run the small Snakefile with the plugin, its output a pipe or a terminal: what it showed."""
    (folder / "Snakefile").write_text(SNAKEFILE)
    command = [sys.executable, "-m", "snakemake", "--cores", "2", "--logger", "cnn-lesson"]
    if not tty:
        done = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=120)
        assert done.returncode != 0
        return done.stdout + done.stderr
    return in_a_terminal(command, folder)


def in_a_terminal(command, folder) -> str:
    """Run `command` with a pseudo-terminal as its output: what it wrote there."""
    main, other = pty.openpty()
    process = subprocess.Popen(command, cwd=folder, stdin=subprocess.DEVNULL, stdout=other,
                               stderr=other)
    os.close(other)
    written = b""
    while True:
        ready, _, _ = select.select([main], [], [], 120)
        try:
            chunk = os.read(main, 4096) if ready else b""
        except OSError:  # the terminal closed: the process ended
            chunk = b""
        if not chunk:
            break
        written += chunk
    process.wait(timeout=60)
    os.close(main)
    return written.decode(errors="replace").replace("\r\n", "\n")


@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "terminal"])
def test_a_killed_job_is_reported_as_killed_not_by_its_logs_noise(tmp_path, tty):
    shown = small_run(tmp_path, tty)
    epochs = [shown.index(f"train x  epoch {epoch}/3  loss 1.0") for epoch in (1, 2, 3)]
    assert epochs == sorted(epochs), "each epoch once, in order, as its log has it"
    failed = "Failed: killed: killed by signal 9 (SIGKILL)"
    assert failed in shown and "CUDA" not in shown.split(failed)[1].splitlines()[0]
    last = shown.rstrip().splitlines()[-3:]
    assert last[0].endswith("The run stopped: 1 job(s) failed.")
    assert last[1].startswith("  killed: killed by signal 9 (SIGKILL), which leaves no message")
    assert last[1].endswith("(log: logs/killed.log)")
    assert last[2].startswith("Run the same command again once the cause is dealt with")
    if tty:
        assert "\r\x1b[K[" in shown and "] 1/3 jobs" in shown, "a bar, redrawn in place"
    else:
        assert "\x1b[" not in shown and "trained done: 1 of 3 jobs done (33%)" in shown


def test_a_dry_run_and_lint_print_as_snakemakes_own_terminal(tmp_path):
    (tmp_path / "Snakefile").write_text(SNAKEFILE)
    dry = subprocess.run([sys.executable, "-m", "snakemake", "-n", "--logger", "cnn-lesson"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert dry.returncode == 0
    assert "rule trained:" in dry.stdout and "This was a dry-run" in dry.stdout
    lint = subprocess.run([sys.executable, "-m", "snakemake", "--lint", "--logger", "cnn-lesson"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "Lints for rule trained" in lint.stdout + lint.stderr


def long_training(workdir, archive):
    config = tiny_config(archive.path.as_uri(), archive)
    config["data"]["n_train"] = 300
    config["experiments"] = [{"model": "extra_layer", "dropout": [0.5], "epochs": 12}]
    write_config(workdir, config)
    return workdir / "logs/train/extra_layer/dropout-0.50/seed-1.log"


def command_of(child: psutil.Process) -> list[str]:
    """A process's command line; none where it has ended since it was listed (a job that just
    finished, a zombie until Snakemake reaps it)."""
    try:
        return child.cmdline()
    except psutil.NoSuchProcess:  # ZombieProcess too
        return []


def test_a_training_killed_by_sigkill_is_named_with_its_cause(tmp_path, tiny_archive):
    """As the kernel's out-of-memory killer or a cluster's limit ends it: the process of the
    training alone, not Snakemake."""
    log = long_training(tmp_path, tiny_archive)
    process = subprocess.Popen(snakemake_command(tmp_path, "--cores", "2"), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and "epoch 2/12" in log.read_text():
            for child in psutil.Process(process.pid).children(recursive=True):
                if any("train.py" in part for part in command_of(child)):
                    child.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    shown, _ = process.communicate(timeout=300)
    assert process.returncode != 0
    assert "train extra_layer/dropout-0.50/seed-1  epoch 1/12  loss " in shown
    last = shown.rstrip().splitlines()[-3:]
    assert last[0] == "The run stopped: 1 job(s) failed."
    assert last[1].startswith("  train extra_layer/dropout-0.50/seed-1: killed by signal 9 "
                              "(SIGKILL), which leaves no message: the kernel's out-of-memory")
    assert "CUDA" not in last[1]


def test_ctrl_c_leaves_each_jobs_trace_in_its_log_and_none_on_the_terminal(tmp_path,
                                                                           tiny_archive):
    """Ctrl-C sends SIGINT to every process of the run: the training logs where it was, and the
    terminal shows no traceback (docs/running.md: a job writes nothing else to the terminal)."""
    log = long_training(tmp_path, tiny_archive)
    # as a terminal starts it: SIGINT not ignored (a shell's background job inherits it ignored)
    process = subprocess.Popen(snakemake_command(tmp_path, "--cores", "2"), text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if log.exists() and "epoch 1/12" in log.read_text():
            os.killpg(process.pid, signal.SIGINT)
            break
        time.sleep(0.05)
    shown, _ = process.communicate(timeout=300)
    assert process.returncode != 0
    assert "Traceback" not in shown and "KeyboardInterrupt" not in shown, shown
    trace = log.read_text()
    assert "interrupted by SIGINT" in trace and "Traceback" in trace


@pytest.fixture
def lessons(finished, tmp_path):
    """A copy of the finished tiny workflow in a folder whose name a shell must be told about."""
    folder = tmp_path / "my lessons, été"
    shutil.copytree(finished, folder, symlinks=True)
    return folder


def as_user(workdir, *args, check=True):
    """snakemake run in `workdir`, as a user there types it (relative --configfile paths)."""
    done = subprocess.run(snakemake_command(workdir, *args), cwd=workdir, capture_output=True,
                          text=True, timeout=900)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def paste(command: str, workdir) -> subprocess.CompletedProcess:
    """Run a printed command as printed, in `workdir`, with this environment's snakemake."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(command, shell=True, cwd=workdir, capture_output=True, text=True,
                          timeout=900, env={**os.environ, "PATH": path})


def printed_report(shown: str) -> str:
    return next(line for line in shown.splitlines() if line.startswith("Report: "))[8:]


def test_the_report_command_printed_after_the_claims_command_builds_a_report(lessons):
    """The README's claims command is `lesson` with another config, on top of a finished run:
    the report printed then is of what it made (here a second seed of the first experiment)."""
    config = yaml.safe_load((lessons / "config/config.yaml").read_text())
    (lessons / "config/claims.yaml").write_text(yaml.safe_dump(
        {"seeds": [1, 2], "experiments": config["experiments"][:1]}))
    shown = as_user(lessons, "--cores", "2", "lesson", "--configfile", "config/claims.yaml")
    command = printed_report(shown)
    assert command.startswith("snakemake lesson ") and "'" in command  # the folder is quoted
    assert "Test loss and accuracy of this config's 2 training(s):" in shown
    assert "claims: " in shown and "results/lesson/claims.md" in shown
    built = paste(command, lessons)
    assert built.returncode == 0, built.stderr
    assert (lessons / "report.html").stat().st_size > 100_000


def test_figures_of_another_config_are_named_and_kept(lessons):
    config = yaml.safe_load((lessons / "config/config.yaml").read_text())
    config["experiments"] = config["experiments"][:1]  # the first history figure alone
    (lessons / "config/one.yaml").write_text(yaml.safe_dump(config))
    shown = as_user(lessons, "--cores", "2", "--configfile", "config/one.yaml")
    fig = lessons / "results/lesson/fig"
    line = next(line for line in shown.splitlines() if "left by another config (kept)" in line)
    assert "04_vary_dropout_rate.png" in line and "04_training_history_1.png" not in line
    assert (fig / "04_vary_dropout_rate.png").is_file()
    assert "Test loss and accuracy of this config's 1 training(s):" in shown


def test_a_job_asking_more_memory_than_the_limit_never_starts_silently(tmp_path, tiny_archive):
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    stopped = snakemake(tmp_path, "--resources", "mem_mb=1000", check=False)
    shown = stopped.stdout + stopped.stderr
    assert stopped.returncode != 0 and not (tmp_path / "results").exists()
    assert "prepare_data asks mem_mb=4000, train asks mem_mb=2000: more than the limit, " \
           "--resources mem_mb=1000. Snakemake would start such a job with 1000 MB" in shown
    less = shown.split("--set-resources ")[1].split(")")[0]
    npz = "results/data/cifar10.npz"
    snakemake(tmp_path, npz, "--resources", "mem_mb=1000", "--set-resources", *less.split())
    assert (tmp_path / npz).is_file()


def test_a_job_asking_more_than_the_free_memory_is_named_and_runs_alone(tmp_path,
                                                                       tiny_archive):
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    npz = "results/data/cifar10.npz"
    ran = snakemake(tmp_path, npz, "--set-resources", "prepare_data:mem_mb=100000000")
    shown = ran.stdout + ran.stderr
    assert "prepare_data asks mem_mb=100000000, more than the " in shown
    assert "MB free now: each runs alone, with what is free" in shown
    assert (tmp_path / npz).is_file()


@pytest.mark.parametrize("files, named", [
    ({"empty.yaml": ""}, "empty.yaml (it holds nothing)"),
    ({"mine.yaml": "seeds: [2]\n", "list.yaml": "- seeds: [2]\n"}, "list.yaml (it holds a list)"),
])
def test_a_config_file_that_holds_no_mapping_is_named(tmp_path, tiny_archive, files, named):
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    shown = as_user(tmp_path, "--dry-run", "--configfile", *files, check=False)
    assert f"{named}: a config file is a mapping of keys to values" in shown
    assert "mine.yaml" not in shown.split("WorkflowError")[-1]


def test_a_number_yaml_reads_as_text_is_named(tmp_path, tiny_archive):
    write_config(tmp_path, tiny_config(tiny_archive.path.as_uri(), tiny_archive))
    (tmp_path / "rate.yaml").write_text("training:\n  validation_split: 1e-1\n")
    shown = as_user(tmp_path, "--dry-run", "--configfile", "rate.yaml", check=False)
    assert "config: training.validation_split: '1e-1': YAML reads this as text, not as a " \
           "number" in shown
