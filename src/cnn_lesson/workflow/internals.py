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
    """Whether jobs run on this machine, not submitted to a cluster. While the Snakefile is read
    Snakemake has not yet given the workflow its executor (workflow.local_exec would say True for
    a cluster run): the one the command line chose answers then."""
    if workflow.executor_plugin is not None:
        return workflow.local_exec
    chosen = chosen_executor()
    return True if chosen is None else chosen.common_settings.local_exec


def chosen_executor():
    """The executor plugin Snakemake's command line chose (--executor, or a profile's), while
    the Snakefile is read: snakemake.cli.args_to_api holds it as a local variable while it reads
    the workflow. None where Snakemake was started otherwise (its Python API)."""
    import inspect

    frame = inspect.currentframe()
    while frame is not None:
        if frame.f_code.co_name == "args_to_api" and \
                frame.f_globals.get("__name__") == "snakemake.cli":
            return frame.f_locals.get("executor_plugin")
        frame = frame.f_back
    return None


def config_files(workflow) -> list[str]:
    """The files given with --configfile, as absolute paths (Snakemake makes them so before it
    changes into --directory)."""
    return [str(path) for path in workflow.config_settings.configfiles]


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


def executor_name(workflow) -> str | None:
    """The executor plugin's name ('local', 'slurm', 'slurm-jobstep', 'dryrun'); None before
    the run starts (while the Snakefile is read)."""
    plugin = workflow.executor_plugin
    return plugin.name if plugin is not None else None


def array_rules(workflow) -> set[str]:
    """The rules whose jobs the Slurm plugin submits as job arrays (--slurm-array-jobs; 'all'
    for every rule); empty elsewhere. Known once the run starts."""
    names = getattr(workflow.executor_settings, "array_jobs", None) or ""
    return {name.strip() for name in names.replace(";", ",").split(",") if name.strip()}


def partition_config(workflow) -> str | None:
    """The Slurm plugin's partition config (--slurm-partition-config, else the file
    $SNAKEMAKE_SLURM_PARTITIONS names, as the plugin reads them); None elsewhere."""
    import os

    given = getattr(workflow.executor_settings, "partition_config", None)
    return str(given) if given else os.environ.get("SNAKEMAKE_SLURM_PARTITIONS") or None


def set_resource(workflow, rule: str, name: str):
    """The value --set-resources (or a profile's set-resources) gives `rule`'s resource `name`,
    or None: as written on the command line (Snakemake keeps it as a Resource that evaluates
    the text as Python, or takes it as text, once a job of the rule is made)."""
    value = workflow.resource_settings.overwrite_resources.get(rule, {}).get(name)
    if hasattr(value, "is_evaluable"):
        return value.raw if value.is_evaluable() else value.value
    return value


def max_jobs(workflow) -> int:
    """How many jobs may be submitted at once (--jobs)."""
    return workflow.nodes


def command_line(argv: list[str]):
    """A snakemake command line (its sys.argv[1:]) as Snakemake's own parser reads it: targets,
    --configfile, --config, --directory and --snakefile as Snakemake took them (a --configfile's
    list takes in every word after it)."""
    from snakemake.cli import get_argument_parser

    return get_argument_parser().parse_args(argv)
