# The cluster: where a training is submitted, and the ways of submitting that would leave a run
# waiting forever or its trainings taking turns, refused before any job. No rules.
from collections import Counter

from cnn_lesson.workflow import placement


def train_partition(wildcards):
    """slurm_partition of a training on Slurm: a GPU partition where it asks for GPU shards and
    a partition config is given (cnn_lesson.workflow.placement); else None, the plugin's choice."""
    return shard_placement()


@cache
def shard_placement():
    """train_partition's answer, the same for every training of a run: worked out (and the
    partition config read) once, and said once."""
    if internals.executor_name(workflow) != "slurm":
        return None
    gres = internals.set_resource(workflow, "train", "gres")
    partitions = internals.partition_config(workflow)
    partition = placement.shard_partition(gres, partitions)
    if partition:
        logger.info(
            f"Trainings ask for gres={gres}: submitted to partition {partition}, the first "
            f"with GPUs in {partitions} (the Slurm plugin counts a shard as no GPU and would "
            f"choose a partition without). Another: --set-resources train:slurm_partition=NAME."
        )
    return partition


def refuse_arrays_over_jobs():
    """Stop a Slurm run whose job arrays (--slurm-array-jobs) hold more jobs than --jobs lets
    Snakemake submit at once: the plugin holds array jobs until all of a rule's ready jobs have
    arrived, and those beyond --jobs never arrive, so the run would wait forever
    (snakemake-executor-plugin-slurm issue 473; measured on the test cluster)."""
    arrays = internals.array_rules(workflow)
    if internals.runs_locally(workflow) or not arrays:
        return
    counts = Counter(name for name, _ in internals.planned_reasons(workflow))
    most = internals.max_jobs(workflow)
    over = {
        name: count
        for name, count in counts.items()
        if count > most and ("all" in arrays or name in arrays)
    }
    if over:
        named = ", ".join(f"{count} {name} jobs" for name, count in sorted(over.items()))
        raise WorkflowError(
            f"--slurm-array-jobs with --jobs {most}: this run has {named}, more than Snakemake "
            f"submits at once, and the Slurm plugin holds an array's jobs until all have "
            f"arrived: the run would wait forever (snakemake-executor-plugin-slurm issue 473). "
            f"Nothing was submitted. Allow at least as many: --jobs {sum(counts.values())} (all "
            f"of this run's jobs, so that no other job takes an array's place)."
        )


def refuse_packed_trainings():
    """Stop a cluster run that packs several trainings into one job (--group-components): the
    Slurm plugin runs the job's own Snakemake one job at a time, and a second job step could not
    start while the first holds the job's GPU, so the trainings would take turns in a job asking
    for all their CPUs and memory at once (profiles/README.md, measured on the test cluster)."""
    group, packed = internals.packed(workflow, rules.train)
    if internals.runs_locally(workflow) or packed < 2:
        return
    raise WorkflowError(
        f"--group-components {group}={packed} would pack {packed} trainings into each cluster "
        f"job, and there they would run one after another, not side by side: the Slurm plugin "
        f"runs a job's own Snakemake one job step at a time (snakemake-executor-plugin-slurm "
        f"issue 469), and a second step could not start while the first holds the job's GPU. "
        f"Each job would ask for {packed} times the CPUs and memory it uses. Nothing was "
        f"submitted. To run several trainings on one GPU at the same time, each in a job of its "
        f"own, ask for a GPU shard where your cluster has them: --set-resources "
        f"train:gres=shard:1 (profiles/README.md, Sharing a GPU)."
    )
