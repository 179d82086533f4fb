"""Every place the workflow relies on Snakemake beyond its documented interface, in one module.

Each of these is read or written by the workflow's Snakefiles and has a test
(tests/workflow/test_internals.py) that runs a real Snakemake and fails, naming the function,
when an upgrade changes what it relies on. Measured on Snakemake 9.27.
"""

from __future__ import annotations

import logging
import re


def in_charge(workflow) -> bool:
    """Whether this is the Snakemake the user started, not a job's own (a cluster job's)."""
    return workflow.is_main_process


def runs_locally(workflow) -> bool:
    """Whether jobs run on this machine, not submitted to a cluster."""
    return workflow.local_exec


def memory_limit(workflow) -> int | None:
    """The mem_mb that jobs running at once may add up to (--resources mem_mb=N), or None."""
    limit = workflow.global_resources.get("mem_mb")
    return getattr(limit, "value", limit)  # a Resource since Snakemake 9.x, an int before


def limit_memory(workflow, mb: int) -> None:
    """Start jobs only while their mem_mb adds up to at most `mb`, as --resources mem_mb=mb
    would (workflow.global_resources is what that option fills)."""
    workflow.global_resources["mem_mb"] = mb


def planned_reasons(workflow) -> list[tuple[str, set[str]]]:
    """(rule name, reasons) for each job this run will start: the names of the reasons
    Snakemake gives for it (e.g. 'output files have to be generated'); only known once the run
    starts (onstart)."""
    dag = workflow.dag
    return [(job.rule.name, set(dag.reason(job).get_names())) for job in dag.needrun_jobs()]


def packed(workflow, rule) -> tuple[str | None, int]:
    """The group of `rule`'s jobs (--groups or a profile's; Snakemake has groups only where jobs
    are submitted) and how many of them one cluster job takes, 1 where they are not packed.
    Known once the run starts (onstart)."""
    group = rule.rule.group
    return group, group_components(workflow, group) if group else 1


def group_components(workflow, group: str) -> int:
    """How many jobs of `group` one cluster job takes (--group-components group=N), else 1."""
    return workflow.group_settings.group_components.get(group, 1)


# A job's failure in Snakemake's log: "Error in rule train:", then its fields, "log: ..." among them
FAILED_JOB = re.compile(r"(?:\[.*?\]\s*)?Error in rule (\w+):")
LOG_FIELD = re.compile(r"^\s+log: (.+?)(?: \(check log file\(s\).*)?$", re.MULTILINE)


def failed_jobs(text: str) -> list[tuple[str, list[str]]]:
    """(rule, its logs) of every job a Snakemake log `text` reports as failed, once each (a job
    retried on a cluster has a new cluster log each time: the last is kept), in order."""
    found: dict[tuple[str, str], list[str]] = {}
    for block in re.split(r"\n(?=\S)", text):
        rule = FAILED_JOB.match(block)
        if rule:
            listed = LOG_FIELD.search(block)
            logs = listed.group(1).split(", ") if listed else ["no log"]
            found[rule.group(1), logs[0]] = logs
    return [(rule, logs) for (rule, _), logs in found.items()]


# The options that say which workflow, folder and config files a command line ran
WHICH_RUN = {"--snakefile", "-s", "--directory", "-d", "--configfile", "--configfiles"}


def which_run(argv: list[str]) -> str:
    """The options of a snakemake command line (its sys.argv[1:]) that another command needs to
    find the same results: which Snakefile, folder and config files, as ' --opt value ...'."""
    kept, taking = [], False
    for arg in argv:
        if arg.startswith("-"):
            name, has_value, _ = arg.partition("=")
            if name in WHICH_RUN:
                kept.append(arg)
            taking = name in WHICH_RUN and not has_value
        elif taking:
            kept.append(arg)
    return "".join(f" {arg}" for arg in kept)


# What the scheduler says each time it starts jobs: its messages, and its job events
SCHEDULER_MESSAGES = {"Select jobs to execute..."}
SCHEDULER_EVENTS = {"job_started", "job_info", "group_info", "job_finished"}


class SchedulerChatter(logging.Filter):
    """Drops, from the terminal only and not in a dry run (whose job list is what was asked
    for), what the scheduler prints per job: 'Select jobs to execute...', 'Execute N jobs...',
    each job's block (rule, files, reason) and 'Finished jobid'. Warnings, errors, the progress
    count and the jobs' own lines pass."""

    def __init__(self, workflow):
        super().__init__()
        self.workflow = workflow  # whether it is a dry run is known only once it runs

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING or self.workflow.dryrun:
            return True
        event = getattr(record, "event", None)
        name = str(getattr(event, "value", event or "")).lower()
        return name not in SCHEDULER_EVENTS and record.getMessage() not in SCHEDULER_MESSAGES


def quiet_terminal(workflow, logger: logging.Logger) -> int:
    """Keep scheduler chatter off the terminal; the log file (.snakemake/log/) keeps all of it.
    Returns the number of terminal handlers filtered (0 where Snakemake has none yet)."""
    terminals = [handler for handler in logger.handlers
                 if isinstance(handler, logging.StreamHandler)
                 and not isinstance(handler, logging.FileHandler)]
    for handler in terminals:
        handler.addFilter(SchedulerChatter(workflow))
    return len(terminals)
