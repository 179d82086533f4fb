"""Every place the workflow relies on Snakemake beyond its documented interface, in one module.

Each of these is read or written by the workflow's Snakefiles and has a test
(tests/workflow/test_internals.py) that runs a real Snakemake and fails, naming the function,
when an upgrade changes what it relies on. Measured on Snakemake 9.27.
"""

from __future__ import annotations


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


def dag_files(workflow) -> set[str]:
    """The output files of every job of this run's targets, to run or already made (known once
    the run starts)."""
    return {str(path) for job in workflow.dag.jobs for path in job.output}


def asked_memory(workflow) -> list[tuple[str, int]]:
    """(rule name, mem_mb) of each job this run will start, as its rule asks (a profile's or
    --set-resources' value included) before Snakemake lowers it to the limit: a job's own
    resources are already lowered. Known once the run starts (onstart)."""
    asked = []
    for job in workflow.dag.needrun_jobs():
        declared = job.rule.resources.get("mem_mb")
        if declared is not None:
            value = declared.evaluate(job.wildcards, input=job.input, attempt=job.attempt,
                                      threads=job.threads, rulename=job.rule.name).value
            if isinstance(value, int | float):
                asked.append((job.rule.name, int(value)))
    return asked


def command_line(argv: list[str]):
    """A snakemake command line (its sys.argv[1:]) as Snakemake's own parser reads it: targets,
    --configfile, --config, --directory and --snakefile as Snakemake took them (a --configfile's
    list takes in every word after it)."""
    from snakemake.cli import get_argument_parser

    return get_argument_parser().parse_args(argv)
