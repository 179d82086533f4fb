"""A job's output: everything it prints, C libraries' included, in its log, where the terminal
finds its progress and its error (cnn_lesson.workflow.terminal, causes); bad input as one line
and exit status 1, without a traceback. Each case runs as a real process, as a rule's script
does."""

import signal
import subprocess
import sys
import textwrap

import pytest

from cnn_lesson.workflow.causes import OWN_ERROR, own_error
from cnn_lesson.workflow.terminal import SHOWN_LINE


def job(tmp_path, body: str) -> tuple[subprocess.CompletedProcess, str]:
    """Run `body` inside logging_to(job.log) in a new Python process; its result and its log."""
    script = textwrap.dedent("""
        import logging, os
        from cnn_lesson.errors import InputError
        from cnn_lesson import PROGRESS
        from cnn_lesson.workflow.logs import logging_to
        with logging_to("job.log"):
        """) + textwrap.indent(textwrap.dedent(body), "    ")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    return done, (tmp_path / "job.log").read_text()


def test_what_a_job_prints_goes_to_its_log_where_the_terminal_reads_its_progress(tmp_path):
    done, log = job(tmp_path, """
        os.write(2, b"a C library writes to file descriptor 2\\n")
        print("python prints")
        logging.getLogger("cnn_lesson").info("a log line")
        logging.getLogger(PROGRESS).info("train base/dropout-0.00/seed-1  epoch 1/1")
        """)
    assert done.returncode == 0
    for line in ("a C library writes to file descriptor 2", "python prints", "a log line",
                 "epoch 1/1"):
        assert line in log
    assert done.stderr == "" and done.stdout == ""
    epochs = [match.group(1) for match in map(SHOWN_LINE.match, log.splitlines()) if match]
    assert epochs == ["train base/dropout-0.00/seed-1  epoch 1/1"]


def test_bad_input_ends_the_job_with_one_line_and_no_traceback(tmp_path):
    done, log = job(tmp_path, """
        raise InputError("data.n_train is 10 but the archive has 5 images; lower it.")
        """)
    assert done.returncode == 1 and done.stderr == "" and done.stdout == ""
    lines = log.splitlines()
    assert len(lines) == 1 and lines[0].endswith(
        "ERROR cnn_lesson: data.n_train is 10 but the archive has 5 images; lower it.")
    assert OWN_ERROR.match(lines[0]).group(1).startswith("data.n_train is 10")  # the cause


def test_a_bug_keeps_its_traceback(tmp_path):
    done, log = job(tmp_path, "1 / 0\n")
    assert done.returncode == 1
    assert "Traceback" in log and "ZeroDivisionError" in log
    assert own_error([tmp_path / "job.log"]) == "ZeroDivisionError: division by zero"


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)


def test_process_seconds_count_from_the_process_start():
    done = run_python("import time; time.sleep(0.3)\n"
                      "from cnn_lesson.workflow.logs import process_seconds\n"
                      "print(process_seconds())")
    assert 0.3 <= float(done.stdout) < 5


def test_end_process_flushes_the_log_and_skips_the_teardown(tmp_path):
    """A finished job's process ends with status 0, its log and printed text written, but
    no exit handler run (TensorFlow's teardown is one)."""
    log = tmp_path / "job.log"
    done = run_python(
        "import atexit, logging\n"
        "from cnn_lesson.workflow.logs import end_process\n"
        f"logging.basicConfig(filename={str(log)!r}, level=logging.INFO)\n"
        "atexit.register(print, 'teardown ran')\n"
        "logging.getLogger('cnn_lesson').info('saved')\n"
        "print('done', end='')\n"
        "end_process()\n"
        "print('never')")
    assert done.returncode == 0
    assert done.stdout == "done" and "saved" in log.read_text()


@pytest.mark.parametrize("signal_name", ["SIGINT", "SIGTERM"])
def test_an_interrupted_job_leaves_its_trace_in_its_log_and_none_on_the_terminal(tmp_path,
                                                                                 signal_name):
    """Ctrl-C (SIGINT) or SIGTERM during a job: its log says where it was, the terminal gets
    nothing, and it ends with the signal's status."""
    number = getattr(signal, signal_name)
    done, log = job(tmp_path, f"""
        import signal, time
        logging.getLogger("cnn_lesson").info("training")
        os.kill(os.getpid(), {int(number)})
        time.sleep(5)
        """)
    assert done.returncode == 128 + number
    assert done.stdout == "" and done.stderr == ""
    assert f"interrupted by {signal_name}" in log and "Traceback" in log
