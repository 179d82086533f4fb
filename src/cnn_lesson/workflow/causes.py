"""Why a job failed, in words: the job's end as the system says it (a signal, a cluster's status),
else the message its own code logged, else what Snakemake says; never a line of a library's
start-up noise."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

# A line this package logs (cnn_lesson.workflow.logs.FORMAT), at ERROR: bad input's message, or
# "failed" before an unexpected error's traceback
OWN_ERROR = re.compile(r"^\S+ \S+ ERROR cnn_lesson[\w.]*: (.*)$")
# Snakemake's words for a job's process that ended by a signal or with a status
SIGNAL = re.compile(r"died with <Signals\.(SIG\w+): (\d+)>")
EXIT_STATUS = re.compile(r"returned non-zero exit status (\d+)")
# The Slurm plugin's words for a job Slurm ended
SLURM_STATUS = re.compile(r"SLURM status is: '(\w+)'")

SIGNALS = {
    "SIGKILL": "killed by signal 9 (SIGKILL), which leaves no message: the kernel's out-of-memory "
               "killer ends a process this way (`dmesg` or `journalctl -k` says so where you may "
               "read them), as do `kill -9` and a cluster's limits",
    "SIGTERM": "stopped by signal 15 (SIGTERM): asked to end, as `kill` and a cluster at its time "
               "limit ask",
    "SIGINT": "interrupted (SIGINT, Ctrl-C)",
    "SIGSEGV": "crashed in compiled code (SIGSEGV, a segmentation fault)",
    "SIGABRT": "aborted (SIGABRT) by compiled code; its log may say why",
    "SIGBUS": "crashed (SIGBUS): a file it was reading changed or a disk filled up",
}
SLURM = {
    "TIMEOUT": "ran past its time limit (Slurm status TIMEOUT): ask for more time, e.g. "
               "--set-resources {rule}:runtime=MINUTES",
    "OUT_OF_MEMORY": "ran out of memory (Slurm status OUT_OF_MEMORY): ask for more, e.g. "
                     "--set-resources {rule}:mem_mb=MB",
    "CANCELLED": "was cancelled (Slurm status CANCELLED: scancel, or the cluster's administrators)",
    "PREEMPTED": "was preempted by a job of higher priority (Slurm status PREEMPTED)",
    "NODE_FAIL": "lost its node (Slurm status NODE_FAIL)",
    "BOOT_FAIL": "could not start on its node (Slurm status BOOT_FAIL)",
    "DEADLINE": "ran past its deadline (Slurm status DEADLINE)",
}


@dataclass
class Failure:
    """A failed job as Snakemake reports it: its rule, what it ran (e.g. 'base/dropout-0.00/
    seed-1'), its logs (a cluster's last), the executor's message, and the error Snakemake
    printed for it just before (the exception of a local job's process)."""

    rule: str
    name: str = ""
    logs: list[str] = field(default_factory=list)
    message: str = ""
    error: str = ""

    @property
    def title(self) -> str:
        return f"{self.rule} {self.name}".strip()

    def cause(self) -> str:
        """Why it failed, in one sentence."""
        return cause(self)


def cause(failure: Failure) -> str:
    """The job's end as the system says it, else the message its own code logged, else the last
    line of the error Snakemake printed."""
    status = SLURM_STATUS.search(failure.message)
    if status and status.group(1) in SLURM:
        return SLURM[status.group(1)].format(rule=failure.rule)
    signal = SIGNAL.search(failure.error)
    if signal:
        name, number = signal.groups()
        return SIGNALS.get(name, f"ended by signal {number} ({name})")
    logged = own_error([Path(log) for log in failure.logs])
    if logged:
        return logged
    exit_status = EXIT_STATUS.search(failure.error)
    if exit_status:
        return f"its process ended with status {exit_status.group(1)} and logged no error"
    return last_line(failure.message) or last_line(failure.error) or "no message; see above"


def own_error(logs: list[Path]) -> str | None:
    """The error this package's code logged in the first of `logs` that has one: bad input's
    message, or an unexpected error's last traceback line."""
    for log in logs:
        try:
            lines = [line for line in log.read_text(errors="replace").splitlines()
                     if line.strip()]
        except OSError:
            continue
        errors = [match.group(1) for match in map(OWN_ERROR.match, lines) if match]
        if errors:
            return lines[-1].strip() if errors[-1] == "failed" else errors[-1]
    return None


def last_line(text: str) -> str:
    """The last line of `text` that says something."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def summary(failures: list[Failure]) -> str:
    """The run's last words after jobs failed: each with its cause and log."""
    lines = ["", f"The run stopped: {len(failures)} job(s) failed."]
    for failure in failures:
        where = f" (log: {failure.logs[0]})" if failure.logs else ""
        lines.append(f"  {failure.title}: {failure.cause()}{where}")
    lines.append("Run the same command again once the cause is dealt with: what finished is "
                 "kept, a training goes on from its last finished epoch, and only what is "
                 "missing runs.")
    return "\n".join(lines)
