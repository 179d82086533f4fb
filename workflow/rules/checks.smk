# The checks before any job: files that finished results were made from, before planning; the
# memory each job asks, and finished trainings that would run again for nothing, once the jobs
# are known. No rules.
from cnn_lesson.workflow.integrity import (
    check_recorded_checksums,
    check_stored_data,
    check_training,
)
from cnn_lesson.workflow.machine import available_memory_mb


def check_before_planning():
    """Stop before anything is planned if a file that finished results were made from is not
    the file written (truncated, damaged, edited) or cannot be checked: the archive, the prepared
    .npz, a training's outputs. Snakemake would rerun every job that reads it, deleting their
    finished outputs first, and each would fail (cnn_lesson.workflow.integrity). Warn where the
    tables were made with another config."""
    if not IN_CHARGE:
        return
    check_results_config()
    npz, record = rules.prepare_data.output.npz, rules.prepare_data.output.record
    try:
        check_stored_data(ARCHIVE, npz, record, DATA_RECIPE, DATA, checksums_in_force(), REMEDIES)
        if CHECKSUMS_FILE:
            check_recorded_checksums(CHECKSUMS_FILE, npz, record, REMEDIES)
        for checksums in training_files(rules.train.output.checksums):
            check_training(Path(checksums).parent, REMEDIES)
    except InputError as error:
        raise WorkflowError(str(error)) from None


def check_results_config():
    """Warn when results/tables/runs.tsv lists other trainings than this config asks for: those
    results came from another config, and a report built now shows this config's trainings."""
    made = summary.tabled_trainings(rules.aggregate.output.runs)
    if made and made != {(planned.model, planned.dropout, planned.seed) for planned in TRAININGS}:
        logger.warning(
            f"{rules.aggregate.output.runs} lists other trainings than this config asks for: "
            f"the results here were made with another config. This run makes this config's "
            f"trainings, and a report built with it shows them; to report on the others, give "
            f"the --configfile (and --directory) you made them with."
        )


def limit_memory_to_this_machine():
    """A local run starts jobs only while the sum of their mem_mb fits in the memory available
    as it starts (a training asks 2 GB): `--cores all` on an 8 GB laptop must not start 8
    trainings. --resources mem_mb=N sets another limit; a cluster run has none. Returns the
    limit it set, None where it set none."""
    if not (IN_CHARGE and internals.runs_locally(workflow)):
        return None
    if internals.memory_limit(workflow) is not None:  # --resources mem_mb=N, 0 included
        return None
    available = available_memory_mb()
    internals.limit_memory(workflow, available)
    logger.info(
        f"Memory: {available:,} MB available; jobs start only while their mem_mb "
        f"fits (--resources mem_mb=N to change)."
    )
    return available


# The memory limit this run set itself (the memory free now), None where the user set one
AUTOMATIC_MEMORY_LIMIT = limit_memory_to_this_machine()


def before_any_job():
    """What is checked once the jobs to run are known, before any starts (nothing in a dry
    run): that no job asks more memory than the limit, that no finished training would run
    again for nothing, and that trainings are not packed into cluster jobs in which they would
    take turns (cluster.smk)."""
    if IN_CHARGE:
        check_memory_asked()
        keep_finished_trainings()
        refuse_packed_trainings()
        refuse_arrays_over_jobs()


def check_memory_asked():
    """Before any job starts: a job that asks more mem_mb than the limit would be started with
    the limit instead, silently (Snakemake lowers it). Where the user set the limit
    (--resources), stop and say how to choose; where it is the memory free now, say that the job
    runs alone with what is free."""
    limit = internals.memory_limit(workflow)
    if limit is None or not internals.runs_locally(workflow):
        return
    over = {name: mb for name, mb in internals.asked_memory(workflow) if mb > limit}
    if not over:
        return
    asked = ", ".join(f"{name} asks mem_mb={mb}" for name, mb in sorted(over.items()))
    if AUTOMATIC_MEMORY_LIMIT is None:
        less = " ".join(f"{name}:mem_mb={limit}" for name in sorted(over))
        raise WorkflowError(
            f"{asked}: more than the limit, --resources mem_mb={limit}. Snakemake would start "
            f"such a job with {limit} MB, silently. Nothing was run. Either raise the limit "
            f"(--resources mem_mb={max(over.values())}) or let the jobs ask less and run with "
            f"it (--set-resources {less})."
        )
    logger.warning(
        f"{asked}, more than the {limit:,} MB free now: each runs alone, with what is free. "
        f"If one is killed for want of memory, free some and run again, or set the limit "
        f"yourself with --resources mem_mb=N."
    )


def keep_finished_trainings():
    """Before any job starts: stop if finished trainings would run again only because the
    prepared data is made again while nothing it is made from changed (the .npz was deleted):
    Snakemake reruns whatever reads a file that is made again, though the same archive makes the
    same file. Made alone first, it costs them nothing (their input's checksum is unchanged)."""
    reasons = internals.planned_reasons(workflow)
    remade = {"output files have to be generated"}
    if ("prepare_data", remade) not in reasons:
        return
    trainings = [why for rule, why in reasons if rule == "train"]
    trainings = [why for why in trainings if why == {"input files updated by another job"}]
    if trainings:
        npz = rules.prepare_data.output.npz
        raise WorkflowError(
            f"{npz} is missing and will be made again, and Snakemake would run "
            f"{len(trainings)} finished training(s) again because of it, though the same "
            f"archive makes the same file. Nothing was run or deleted. Make it alone first: "
            f"`{REMEDIES.make(npz)}`, then run as before: the finished trainings are kept. To "
            f"train them again anyway, add --forcerun prepare_data."
        )
