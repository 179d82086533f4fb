# Config validation, wildcard constraints, and the functions the rules call; no rules.
import re
import sys
from collections import Counter
from functools import cache
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

from cnn_lesson.edition import Grid, History, Sweep, load
from cnn_lesson.errors import InputError
from cnn_lesson.files import remove_empty_folders
from cnn_lesson.workflow import internals, placement, summary
from cnn_lesson.workflow.command import snakemake_line
from cnn_lesson.workflow.config import (
    config_numbers_read_as_text,
    missing_base_config,
    refuse_numbers_read_as_text,
)
from cnn_lesson.workflow.installed import check_backend
from cnn_lesson.workflow.integrity import (
    archive_verified,
    check_recorded_checksums,
    check_stored_data,
    check_training,
    recorded_checksums,
)
from cnn_lesson.workflow.layout import RUN, Layout
from cnn_lesson.workflow.machine import available_memory_mb
from cnn_lesson.workflow.provenance import json_digest
from cnn_lesson.workflow.runs import figure_runs, run_for, runs_from_config, training_settings
from cnn_lesson.workflow.sources import code_params

# Each job runs in the project's one environment: the locked packages and this package
# (environment.yml, for conda, holds both).
ENVIRONMENT = "../../environment.yml"
WORKFLOW_ROOT = Path(workflow.basedir)
SCRIPTS = WORKFLOW_ROOT / "workflow" / "scripts"
# The report's sections, in order.
REPORT = {
    "runs": "1. Runs",
    "history": "2. Training history",
    "dropout": "3. Dropout rate",
    "lesson": "4. The episode's figures",
    "claims": "5. The episode's claims, checked",
}

# A missing base config, or a number YAML read as text, named before the schema's long message
if missing := missing_base_config(config, WORKFLOW_ROOT):
    raise WorkflowError(missing)
try:
    refuse_numbers_read_as_text(
        config_numbers_read_as_text(config, WORKFLOW_ROOT / "workflow" / "schemas")
    )
except InputError as error:
    raise WorkflowError(str(error)) from None
validate(config, schema="../schemas/config.schema.yaml")
validate(config["data"], schema=f"../schemas/data/{config['edition']}.schema.yaml")
# The edition: its data, models, figures and claims (cnn_lesson/editions/<edition>.py), and
# where its files go (each edition has a folder of its own; the CIFAR-10 edition's is empty).
EDITION = load(config["edition"])
EDITION_MODULE = EDITION.__name__
LAYOUT = Layout(EDITION.FOLDER)
RESULTS, LOGS, BENCHMARKS, FIG = LAYOUT.results, LAYOUT.logs, LAYOUT.benchmarks, LAYOUT.figures
CHECKPOINTS = LAYOUT.checkpoints  # each training's state after its last finished epoch
DATA = EDITION.DATA
# The edition's data as downloaded, fixed by its checksums: fetched once, then read as it is.
ARCHIVE = f"{LAYOUT.resources}/{DATA.file}"
# What prepare_data writes beside the .npz: what it is made from, checksums (integrity.py)
DATA_RECORD = f"{RESULTS}/data/{EDITION.NAME}.json"
# The checksums the config pins (None: none yet, where the edition's source publishes them).
PINNED = DATA.checksums(config["data"])
# Where the download records the checksums it verified and where they came from, for an
# edition whose config may pin none (Dollar Street 10); prepare_data reads them there.
CHECKSUMS_FILE = f"{ARCHIVE}.md5.json" if DATA.checksums_beside else None

IN_CHARGE = internals.in_charge(workflow)  # not a job's own Snakemake (a cluster job's)
try:
    RUNS = runs_from_config(config, EDITION)
except InputError as error:
    raise WorkflowError(f"config: {error}") from None
if IN_CHARGE:
    try:
        check_backend(config["training"]["backend"])
    except InputError as error:  # the backend chosen is not installed here
        raise WorkflowError(str(error)) from None
FIGURE_RUNS = figure_runs(RUNS)
CLAIM_RUNS = [run for runs in FIGURE_RUNS.values() for run in runs]  # all the figures' runs
SUMMARY_NAMES = [name for name, _, _ in EDITION.SUMMARIES]


def figures_of(kind):
    """The figures of the edition of `kind` (History, Sweep, Grid) that the config makes."""
    return [name for name in FIGURE_RUNS if isinstance(EDITION.FIGURES[name], kind)]


HISTORIES = figures_of(History)
# Each history figure's loss figure, where the episode has one, by the loss figure's name
LOSS_FIGURES = {
    EDITION.FIGURES[name].loss: name for name in HISTORIES if EDITION.FIGURES[name].loss
}
GRIDS = figures_of(Grid)
# The edition's dropout curve, by its name in the episode, and whether the config makes it
SWEEP_FIGURE = next(name for name, kind in EDITION.FIGURES.items() if isinstance(kind, Sweep))
SWEEP_MADE = SWEEP_FIGURE in FIGURE_RUNS


def one_of(names):
    """A wildcard constraint matching exactly `names` (and nothing where there are none)."""
    return "|".join(re.escape(name) for name in names) or "(?!)"


wildcard_constraints:
    model="|".join(EDITION.MODELS),
    dropout=r"0\.\d+",
    seed=r"\d+",


def code_of(script, edition=None):
    """Params that rerun a rule's jobs when the code its script runs changes: one per file, the
    script and each package module it imports (cnn_lesson.workflow.sources); `edition`, the
    definitions of the edition's module it uses (all: "all")."""
    if edition is None:
        return code_params(SCRIPTS / script, WORKFLOW_ROOT)
    names = None if edition == "all" else edition
    return code_params(SCRIPTS / script, WORKFLOW_ROOT, EDITION_MODULE, names)


def data_recipe():
    """What the edition's prepared .npz is made from: prepare_data records it beside the file,
    and each training beside its outputs."""
    code = json_digest(code_of("prepare_data.py", ("DATA",)))[:12]
    return f"data: {DATA.recipe(config['data'])}, prepared by code {code}"


DATA_RECIPE = data_recipe()


def checksums_in_force():
    """The checksums the data is checked against: the config's, else those the download
    recorded beside it (None before it ran)."""
    return PINNED or (CHECKSUMS_FILE and recorded_checksums(CHECKSUMS_FILE))


def archive_in_place():
    """Whether the archive is here and has the config's checksums: then it is read as it is, and
    no rule makes it, so that no change of code or URL fetches it again (one that fails is
    fetched again, or refused by name where results were made from it). A job's own Snakemake
    (a cluster job's) takes the archive the main one planned with, as it is. Where the download
    records the checksums beside it, that record is part of it."""
    recorded = not CHECKSUMS_FILE or Path(CHECKSUMS_FILE).is_file()
    if not IN_CHARGE:
        return Path(ARCHIVE).is_file() and recorded
    return recorded and archive_verified(ARCHIVE, DATA_RECORD, DATA, checksums_in_force())


def check_before_planning():
    """Stop before anything is planned if a file that finished results were made from is not
    the file written (truncated, damaged, edited) or cannot be checked: the archive, the prepared
    .npz, a training's outputs. Snakemake would rerun every job that reads it, deleting their
    finished outputs first, and each would fail (cnn_lesson.workflow.integrity). Warn where the
    tables were made with another config."""
    if not IN_CHARGE:
        return
    check_results_config()
    try:
        check_stored_data(
            ARCHIVE,
            rules.prepare_data.output.npz,
            rules.prepare_data.output.record,
            DATA_RECIPE,
            DATA,
            checksums_in_force(),
            command_for,
        )
        if CHECKSUMS_FILE:
            check_recorded_checksums(
                CHECKSUMS_FILE,
                rules.prepare_data.output.npz,
                rules.prepare_data.output.record,
                command_for,
            )
        for record in run_files(rules.train.output.checksums):  # one folder per run
            check_training(Path(record).parent, command_for)
    except InputError as error:
        raise WorkflowError(str(error)) from None


def command_for(*targets):
    """The command that makes `targets` with the Snakefile, folder and config of the command
    the user ran, shell-quoted, to paste as printed."""
    return snakemake_line(*targets, options=summary.run_options(ran()))


@cache
def ran():
    """The command line the user ran, as Snakemake read it (read only when a message needs it)."""
    return internals.command_line(sys.argv[1:])


def archive_source():
    """The local copy the config names, or else the download URL."""
    return config["data"]["archive"] or config["data"]["url"]


def times_attempt(amount):
    """A resource that grows with each attempt of a job (a cluster retries killed jobs)."""
    return lambda wildcards, attempt: amount * attempt


def run_of(wildcards):
    """The configured run that the wildcards of a train or evaluate job name."""
    try:
        return run_for(RUNS, wildcards.model, wildcards.dropout, int(wildcards.seed))
    except InputError as error:
        raise WorkflowError(str(error)) from None


def epochs_of(wildcards):
    """The configured epochs of the run a train job trains."""
    return run_of(wildcards).epochs


def settings_of(wildcards):
    """The settings of the training a train or evaluate job's wildcards name, as plain values
    (cnn_lesson.experiments.Training)."""
    return training_settings(run_of(wildcards), config, DATA_RECIPE).as_dict()


def run_files(pattern, runs=None):
    """`pattern` (an output of a rule with {model}, {dropout} and {seed}) for every configured
    run, or every run of `runs`, in config order."""
    return [pattern.format(**run.wildcards) for run in (RUNS if runs is None else runs)]


def runs_behind(figures):
    """The runs, all seeds, behind the episode's `figures` (names), in config order."""
    return [run for run in RUNS if run.figure in figures]


def figure_files(figures, pattern):
    """`pattern` for every run, all seeds, behind the episode's `figures` (names)."""
    return run_files(pattern, runs_behind(figures))


def history_files(wildcards):
    """The histories behind the episode's training-history figure {figure}."""
    return figure_files([wildcards.figure], rules.train.output.history)


def history_seeds(wildcards):
    """The seeds of those histories, in the same order."""
    return [run.seed for run in FIGURE_RUNS[wildcards.figure]]


def loss_table(wildcards):
    """The table of the training-history figure whose loss figure is {loss_figure}."""
    return rules.lesson_history.output.table.format(figure=LOSS_FIGURES[wildcards.loss_figure])


def history_runs():
    """What each history figure shows, in words ('extra_layer, dropout 0.8'), and the loss
    figure drawn from it, if any: {figure: [words, loss figure or None]}."""
    shown = {name: FIGURE_RUNS[name][0] for name in HISTORIES}
    return {
        name: [f"{run.model}, dropout {run.dropout:g}", EDITION.FIGURES[name].loss]
        for name, run in shown.items()
    }


def lesson_targets():
    """The episode's figures the config names, their Markdown lines, its numbers, and its claims
    checked, under the edition's results/.../lesson/."""
    return [
        *rules.lesson_sample_images.output,
        *rules.lesson_convolution.output,
        *expand(rules.lesson_history.output, figure=HISTORIES),
        *expand(rules.lesson_history_loss.output, loss_figure=list(LOSS_FIGURES)),
        *(rules.lesson_dropout.output if SWEEP_MADE else []),
        *(rules.lesson_grid.output if GRIDS else []),
        *rules.lesson_numbers.output,
        *(rules.lesson_evaluate_line.output if EDITION.EVALUATED_FIGURE in FIGURE_RUNS else []),
        *rules.lesson_figures.output,
        *rules.lesson_claims.output,
    ]


def final_targets():
    """Everything `snakemake --cores all` makes: every run's metrics and plots, the tables, and
    the episode's figures and numbers."""
    return [
        *run_files(rules.evaluate.output.metrics),
        *run_files(rules.plot_history.output.accuracy),
        *run_files(rules.plot_history.output.loss),
        *rules.aggregate.output,
        *lesson_targets(),
    ]


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


def check_results_config():
    """Warn when results/tables/runs.tsv lists other runs than this config asks for: those
    results came from another config, and a report built now shows this config's runs."""
    made = summary.tabled_runs(rules.aggregate.output.runs)
    if made and made != {(run.model, run.dropout, run.seed) for run in RUNS}:
        logger.warning(
            f"{rules.aggregate.output.runs} lists other runs than this config asks for: the "
            f"results here were made with another config. This run makes this config's runs, "
            f"and a report built with it shows them; to report on the others, give the "
            f"--configfile (and --directory) you made them with."
        )


def before_any_job():
    """What is checked once the jobs to run are known, before any starts (nothing in a dry
    run): that no job asks more memory than the limit, that no finished training would run
    again for nothing, and that trainings are not packed into cluster jobs in which they would
    take turns."""
    if IN_CHARGE:
        check_memory_asked()
        keep_finished_trainings()
        refuse_packed_trainings()
        refuse_arrays_over_jobs()


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
            f"`{command_for(npz)}`, then run as before: the finished trainings are kept. To "
            f"train them again anyway, "
            f"add --forcerun prepare_data."
        )


def finish():
    """After a successful run: no empty checkpoint folders left, and the summary of what this
    run's targets hold."""
    remove_empty_folders(CHECKPOINTS)
    in_run = internals.dag_files(workflow)
    made = summary.Made(
        metrics={
            run.folder: Path(path)
            for run, path in zip(RUNS, run_files(rules.evaluate.output.metrics))
            if path in in_run
        },
        chosen=made_here(rules.aggregate.output.chosen, in_run),
        claims=made_here(rules.lesson_claims.output.table, in_run),
        folders=summary.folders_of(in_run, [FIG, f"{RESULTS}/plots", f"{RESULTS}/tables"]),
    )
    figures = [path for path in lesson_targets() if path.startswith(f"{FIG}/")]
    report_line = summary.report_command(sorted(ran().targets), summary.run_options(ran()))
    strays = summary.stray_figures(FIG, figures)
    logger.info(summary.finished(made, FIG, strays, report_line))


def made_here(path, in_run):
    """`path` as a Path where this run's targets make it, else None."""
    return Path(path) if path in in_run else None


# The memory limit this run set itself (the memory free now), None where the user set one
AUTOMATIC_MEMORY_LIMIT = limit_memory_to_this_machine()
