"""The run's terminal, as a Snakemake logger plugin (snakemake-interface-logger-plugins; the
package snakemake_logger_plugin_cnn_lesson makes it one, profiles/default selects it).

Snakemake's events say which jobs start, finish and fail and how far the run is; no event carries
a job's own output, so each training's line per epoch is read from its log as it is written
(on a cluster too: the logs are on the shared file system). On a terminal, a bar at the bottom
says how many jobs are done, the time so far and the time left; elsewhere (CI, a pipe, a file) a
line per finished job says the same. Each failed job is named with its cause as it fails, and
again at the end. Dry runs, --lint, --report and every other command print as Snakemake's own
terminal does: its filter and formatter are this handler's (has_filter and has_formatter are
False).
"""

from __future__ import annotations

import logging
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from snakemake_interface_logger_plugins.base import LogHandlerBase
from snakemake_interface_logger_plugins.common import LogEvent

from cnn_lesson import PROGRESS
from cnn_lesson.workflow.causes import Failure, summary
from cnn_lesson.layout import TRAINING

# A line of a job's log that its code meant for the terminal (logged to PROGRESS, in the format of
# cnn_lesson.workflow.logs): a training's line per epoch, a download's checksums to pin
SHOWN_LINE = re.compile(rf"^\S+ \S+ \w+ {re.escape(PROGRESS)}: (.*)$")
# What Snakemake says in a run that the bar and the lines per job say better, or the log keeps
QUIET_EVENTS = {LogEvent.WORKFLOW_STARTED, LogEvent.JOB_STARTED, LogEvent.JOB_INFO,
                LogEvent.JOB_FINISHED}
SCHEDULER_MESSAGES = {"Select jobs to execute..."}
# Snakemake's words for a --configfile that holds no mapping (it names no file)
NOT_A_MAPPING = "Config file must be given as JSON or YAML with keys at top level"
# How often the logs of running jobs are read, and the bar redrawn (seconds)
POLL = 0.5
BAR_WIDTH = 20


@dataclass
class Job:
    """A job of the run, from its job_info event; `read` is how far its log has been shown."""

    rule: str
    name: str
    logs: list[str]
    read: dict[str, int] = field(default_factory=dict)


def job_name(wildcards: dict) -> str:
    """What a job makes, in the words of its folders: 'base/dropout-0.00/seed-1' for a run, the
    figure's name for a figure, '' for a job of its own."""
    if {"model", "dropout", "seed"} <= set(wildcards):
        return TRAINING.format(**wildcards)
    return " ".join(str(value) for value in wildcards.values())


def duration(seconds: float) -> str:
    """`seconds` as h:mm:ss."""
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def progress_text(done: int, total: int, elapsed: float) -> str:
    """'3 of 40 jobs done (8%), 0:01:20 so far, about 0:14:40 left' (no estimate before the
    first job is done)."""
    percent = 100 * done // max(total, 1)
    text = f"{done} of {total} jobs done ({percent}%), {duration(elapsed)} so far"
    if 0 < done < total:
        text += f", about {duration(elapsed / done * (total - done))} left"
    return text


def bar(done: int, total: int, elapsed: float) -> str:
    """The progress bar: '[#####...............] 3/40 jobs  0:01:20 so far  about 0:14:40 left'
    (no estimate before the first job is done)."""
    filled = BAR_WIDTH * done // max(total, 1)
    line = (f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} jobs  "
            f"{duration(elapsed)} so far")
    if 0 < done < total:
        line += f"  about {duration(elapsed / done * (total - done))} left"
    return line


def config_files_not_mappings(argv: list[str]) -> list[str]:
    """The files after --configfile in `argv` that YAML reads as no mapping (empty, a list, a
    single value), each with what it holds."""
    found, taking = [], False
    for arg in argv:
        if arg.startswith("-"):
            taking = arg in ("--configfile", "--configfiles")
            continue
        if taking:
            try:
                content = yaml.safe_load(Path(arg).read_text())
            except (OSError, yaml.YAMLError, UnicodeDecodeError):
                continue  # Snakemake names a missing or unreadable file itself
            if not isinstance(content, dict):
                what = ("nothing" if content is None else "a list" if isinstance(content, list)
                        else f"the single value {content!r}")
                found.append(f"{arg} (it holds {what})")
    return found


class Terminal(LogHandlerBase):
    """The handler Snakemake sends every log record to (see the module's docstring)."""

    def __post_init__(self) -> None:
        self.stream = sys.stdout if self.common_settings.stdout else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.lock = threading.RLock()
        self.jobs: dict[int, Job] = {}
        self.running: set[int] = set()
        self.failures: list[Failure] = []
        self.held_error: str | None = None  # printed unless a failed job's event claims it
        self.done = self.total = 0
        self.started = time.monotonic()
        self.began = time.time()  # the run's start, on the files' clock
        self.bar_shown = False
        self.last_done = ""  # the job whose end the next progress event counts
        self.closed = False
        self.stop = threading.Event()
        self.follower: threading.Thread | None = None

    # The plugin interface's questions
    @property
    def writes_to_stream(self) -> bool:
        return True

    @property
    def writes_to_file(self) -> bool:
        return False

    @property
    def has_filter(self) -> bool:
        return False  # Snakemake's own filter: --quiet, --printshellcmds and --verbose hold

    @property
    def has_formatter(self) -> bool:
        return False  # Snakemake's own formatter, for what this handler prints as it is

    @property
    def needs_rulegraph(self) -> bool:
        return False

    def emit(self, record: logging.LogRecord) -> None:
        with self.lock:
            try:
                self.handle_record(record)
            except Exception:  # a terminal that fails must not stop the run
                self.handleError(record)

    def handle_record(self, record: logging.LogRecord) -> None:
        event = getattr(record, "event", None)
        if self.common_settings.dryrun:
            self.write(self.text_of(record))
            return
        if event != LogEvent.JOB_ERROR:
            self.release_error()
        handler = {
            LogEvent.JOB_INFO: self.job_info,
            LogEvent.JOB_STARTED: self.jobs_started,
            LogEvent.JOB_FINISHED: self.job_finished,
            LogEvent.JOB_ERROR: self.job_error,
            LogEvent.GROUP_ERROR: self.group_error,
            LogEvent.PROGRESS: self.progress,
            LogEvent.ERROR: self.error,
        }.get(event)
        if handler:
            handler(record)
        elif event not in QUIET_EVENTS and record.getMessage() not in SCHEDULER_MESSAGES:
            self.write(self.format(record))

    # Snakemake's events
    def job_info(self, record) -> None:
        logs = [str(log) for log in record.log]
        self.jobs[record.jobid] = Job(record.rule_name, job_name(dict(record.wildcards)), logs,
                                      {log: shown_from(log, self.began) for log in logs})

    def jobs_started(self, record) -> None:
        self.running.update(getattr(record, "jobs", []))
        if self.follower is None:
            self.follower = threading.Thread(target=self.follow, daemon=True)
            self.follower.start()

    def job_finished(self, record) -> None:
        self.show_lines(record.job_id)
        self.running.discard(record.job_id)
        job = self.jobs.get(record.job_id)
        self.last_done = f"{job.rule} {job.name}".strip() if job else ""

    def progress(self, record) -> None:
        self.done, self.total = record.done, record.total
        if self.tty:
            self.draw_bar()
        else:
            done = f"{self.last_done} done: " if self.last_done else ""
            self.write(done + progress_text(self.done, self.total, self.elapsed()))

    def error(self, record) -> None:
        self.held_error = self.text_of(record)  # a local job's exception precedes its job_error

    def text_of(self, record) -> str:
        """The record as Snakemake's formatter writes it, with the config files named where
        Snakemake says one is no mapping without naming it."""
        text = self.format(record)
        named = config_files_not_mappings(sys.argv[1:]) if NOT_A_MAPPING in text else []
        if named:
            text += (f"\n{', '.join(named)}: a config file is a mapping of keys to values, as "
                     f"config/config.yaml is; give it keys or leave it out.")
        return text

    def job_error(self, record) -> None:
        error, self.held_error = self.held_error or "", None
        job = self.jobs.get(record.jobid)
        self.show_lines(record.jobid)
        self.running.discard(record.jobid)
        self.failed(Failure(record.rule_name, job.name if job else "",
                            [str(log) for log in record.log], str(record.rule_msg or ""), error))

    def group_error(self, record) -> None:
        for info in record.job_error_info:
            self.failed(Failure(info["rule_name"], "", [*info["log"], *record.aux_logs],
                                str(record.msg or "")))

    def failed(self, failure: Failure) -> None:
        """Say it now, and keep it for the last words: once per job, its last attempt's (a
        cluster retries a job, each attempt failing anew)."""
        self.failures = [known for known in self.failures
                         if (known.title, known.logs[:1]) != (failure.title, failure.logs[:1])]
        self.failures.append(failure)
        where = f" (log: {failure.logs[0]})" if failure.logs else ""
        self.write(f"Failed: {failure.title}: {failure.cause()}{where}", error=True)

    def release_error(self) -> None:
        """Print the error held back, which no failed job claimed."""
        if self.held_error is not None:
            message, self.held_error = self.held_error, None
            self.write(message, error=True)

    # What jobs meant for the terminal (a training's lines per epoch), from their logs
    def follow(self) -> None:
        while not self.stop.wait(POLL):
            with self.lock:
                for jobid in list(self.running):
                    self.show_lines(jobid)
                if self.tty and self.bar_shown:
                    self.draw_bar()

    def show_lines(self, jobid: int) -> None:
        job = self.jobs.get(jobid)
        for log in job.logs if job else []:
            for line in new_lines(log, job.read):
                shown = SHOWN_LINE.match(line)
                if shown:
                    self.write(shown.group(1))

    # Writing
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def write(self, text: str | None, error: bool = False) -> None:
        if not text or text == "None":
            return
        if self.tty and self.bar_shown:
            self.stream.write("\r\033[K")
        if self.tty and error:
            text = f"\033[31m{text}\033[0m"
        self.stream.write(text + "\n")
        if self.tty and self.bar_shown:
            self.draw_bar()
        self.stream.flush()

    def draw_bar(self) -> None:
        line = bar(self.done, self.total, self.elapsed())
        width = shutil.get_terminal_size().columns - 1
        self.stream.write("\r\033[K" + line[:width])
        self.bar_shown = self.done < self.total
        if not self.bar_shown:
            self.stream.write("\n")
        self.stream.flush()

    def close(self) -> None:
        """The run's last words: each failed job and its cause (close is called more than once)."""
        with self.lock:
            if not self.closed:
                self.closed = True
                self.stop.set()
                self.release_error()
                for jobid in list(self.running):
                    self.show_lines(jobid)
                if self.bar_shown:
                    self.stream.write("\n")
                    self.bar_shown = False
                if self.failures:
                    self.write(summary(self.failures), error=True)
        super().close()


def shown_from(path: str, began: float) -> int:
    """Where a job's log is shown from: its size now, so that what an earlier run wrote (a
    killed training's epochs) is not shown again; from its start where it was written since this
    run began (Snakemake may hand a job's event to the terminal after the job wrote its first
    lines)."""
    try:
        found = Path(path).stat()
    except OSError:
        return 0
    return 0 if found.st_mtime >= began else found.st_size


def new_lines(path: str, read: dict[str, int]) -> list[str]:
    """The whole lines added to `path` since `read[path]` bytes, moving it on (from the start
    again where the file was made anew and is shorter)."""
    try:
        with open(path, "rb") as log:
            if log.seek(0, 2) < read.get(path, 0):
                read[path] = 0
            log.seek(read.get(path, 0))
            text = log.read()
    except OSError:
        return []
    whole = text[: text.rfind(b"\n") + 1]
    read[path] = read.get(path, 0) + len(whole)
    return whole.decode(errors="replace").splitlines()
