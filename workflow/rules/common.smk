# Config validation, wildcard constraints, and the functions the rules call; no rules.
import sys
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

from cnn_lesson.errors import InputError
from cnn_lesson.experiments import (
    EPISODE_MODELS,
    EVALUATED_FIGURE,
    HISTORIES,
    HISTORY_FIGURE,
    HISTORY_LOSS_FIGURE,
    MODELS,
    SWEEP_FIGURE,
    figure_runs,
    run_for,
    runs_from_config,
    training_settings,
)
from cnn_lesson.files import remove_empty_folders
from cnn_lesson.workflow import internals, terminal
from cnn_lesson.workflow.backends import check_backend
from cnn_lesson.workflow.integrity import archive_verified, check_stored_data, check_training
from cnn_lesson.workflow.machine import available_memory_mb
from cnn_lesson.workflow.provenance import json_digest
from cnn_lesson.workflow.sources import code_params

# Each job runs in the project's one environment: the locked packages and this package
# (environment.yml, for conda, holds both).
ENVIRONMENT = "../../environment.yml"
WORKFLOW_ROOT = Path(workflow.basedir)
SCRIPTS = WORKFLOW_ROOT / "workflow" / "scripts"
# The CIFAR-10 archive, fixed by the config's checksums: fetched once, then read as it is.
ARCHIVE = "resources/cifar-10-python.tar.gz"
# What prepare_data writes beside the .npz: what it is made from, checksums (integrity.py)
DATA_RECORD = "results/data/cifar10.json"
# Each training's state after its last finished epoch, outside its outputs (rule train).
CHECKPOINTS = "checkpoints"
# The report's sections, in order.
REPORT = {
    "runs": "1. Runs",
    "history": "2. Training history",
    "dropout": "3. Dropout rate",
    "lesson": "4. The episode's figures",
    "claims": "5. The episode's claims, checked",
}

validate(config, schema="../schemas/config.schema.yaml")
IN_CHARGE = internals.in_charge(workflow)  # not a job's own Snakemake (a cluster job's)
try:
    RUNS = runs_from_config(config)
except InputError as error:
    raise WorkflowError(f"config: {error}") from None
if IN_CHARGE:
    try:
        check_backend(config["training"]["backend"])
    except InputError as error:  # the backend chosen is not installed here
        raise WorkflowError(str(error)) from None
FIGURE_RUNS = figure_runs(RUNS)
CLAIM_RUNS = [run for runs in FIGURE_RUNS.values() for run in runs]  # all the figures' runs
EPISODE_SUMMARIES = [name for name, _, _ in EPISODE_MODELS]


wildcard_constraints:
    model="|".join(MODELS),
    dropout=r"0\.\d+",
    seed=r"\d+",
    n="|".join(HISTORIES),


def code_of(script):
    """Params that rerun a rule's jobs when the code its script runs changes: one per file, the
    script and each package module it imports (cnn_lesson.workflow.sources)."""
    return code_params(SCRIPTS / script, WORKFLOW_ROOT)


def data_recipe():
    """What results/data/cifar10.npz is made from: prepare_data records it beside the file, and
    each training beside its outputs."""
    settings = config["data"]
    code = json_digest(code_of("prepare_data.py"))[:12]
    return (
        f"data: the first {settings['n_train']} training images of the archive with md5 "
        f"{settings['md5']}, prepared by code {code}"
    )


DATA_RECIPE = data_recipe()


def archive_in_place():
    """Whether the archive is here and has the config's checksums: then it is read as it is, and
    no rule makes it, so that no change of code or URL fetches it again (one that fails is
    fetched again, or refused by name where results were made from it). A job's own Snakemake
    (a cluster job's) takes the archive the main one planned with, as it is."""
    if not IN_CHARGE:
        return Path(ARCHIVE).is_file()
    return archive_verified(ARCHIVE, DATA_RECORD, config["data"]["md5"], config["data"]["sha256"])


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
            config["data"]["md5"],
            config["data"]["sha256"],
        )
        for record in run_files(rules.train.output.checksums):  # one folder per run
            check_training(Path(record).parent)
    except InputError as error:
        raise WorkflowError(str(error)) from None


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


def figure_files(figure, pattern):
    """`pattern` for every run, all seeds, behind one of the episode's figures."""
    return run_files(pattern, FIGURE_RUNS.get(figure, []))


def history_files(wildcards):
    """The histories behind the episode's training-history figure number {n}."""
    return figure_files(HISTORY_FIGURE.format(n=wildcards.n), rules.train.output.history)


def history_seeds(wildcards):
    """The seeds of those histories, in the same order."""
    return [run.seed for run in FIGURE_RUNS[HISTORY_FIGURE.format(n=wildcards.n)]]


def configured_histories():
    """The numbers n of the episode's training-history figures the config names."""
    return [n for n in HISTORIES if HISTORY_FIGURE.format(n=n) in FIGURE_RUNS]


def history_runs():
    """What each of those figures shows, by n, in words: 'extra_layer, dropout 0.8'."""
    shown = {n: FIGURE_RUNS[HISTORY_FIGURE.format(n=n)][0] for n in configured_histories()}
    return {n: f"{run.model}, dropout {run.dropout:g}" for n, run in shown.items()}


def lesson_targets():
    """The episode's figures the config names, their Markdown lines, its numbers, and its claims
    checked, under results/lesson/."""
    histories = configured_histories()
    return [
        *rules.lesson_sample_images.output,
        *rules.lesson_convolution.output,
        *expand(rules.lesson_history.output, n=histories),
        *(rules.lesson_dropout.output if SWEEP_FIGURE in FIGURE_RUNS else []),
        *rules.lesson_numbers.output,
        *(rules.lesson_evaluate_line.output if EVALUATED_FIGURE in FIGURE_RUNS else []),
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
    trainings. --resources mem_mb=N sets another limit; a cluster run has none."""
    if not (IN_CHARGE and internals.runs_locally(workflow)):
        return
    if internals.memory_limit(workflow) is not None:  # --resources mem_mb=N, 0 included
        return
    available = available_memory_mb()
    internals.limit_memory(workflow, available)
    logger.info(
        f"Memory: {available:,} MB available; jobs start only while their mem_mb "
        f"fits (--resources mem_mb=N to change)."
    )


def check_results_config():
    """Warn when results/tables/runs.tsv lists other runs than this config asks for: those
    results came from another config, and a report built now shows this config's runs."""
    made = terminal.tabled_runs(rules.aggregate.output.runs)
    if made and made != {(run.model, run.dropout, run.seed) for run in RUNS}:
        logger.warning(
            f"{rules.aggregate.output.runs} lists other runs than this config asks for: the "
            f"results here were made with another config. This run makes this config's runs, "
            f"and a report built with it shows them; to report on the others, give the "
            f"--configfile (and --directory) you made them with."
        )


def before_any_job():
    """What is checked once the jobs to run are known, before any starts (nothing in a dry
    run): that no finished training would run again for nothing, and that trainings are not
    packed into cluster jobs in which they would take turns."""
    if IN_CHARGE:
        keep_finished_trainings()
        refuse_packed_trainings()


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
    if not any(job.rule.name == "prepare_data" and why == remade for job, why in reasons.items()):
        return
    again = {"input files updated by another job"}
    trainings = [job for job, why in reasons.items() if job.rule.name == "train" and why == again]
    if trainings:
        npz = rules.prepare_data.output.npz
        raise WorkflowError(
            f"{npz} is missing and will be made again, and Snakemake would run "
            f"{len(trainings)} finished training(s) again because of it, though the same "
            f"archive makes the same file. Nothing was run or deleted. Make it alone first: "
            f"`snakemake --cores all {npz}` (add the --configfile or --directory you ran with), "
            f"then run as before: the finished trainings are kept. To train them again anyway, "
            f"add --forcerun prepare_data."
        )


def finish():
    """After a successful run: no empty checkpoint folders left, and the summary."""
    remove_empty_folders(CHECKPOINTS)
    outputs = rules.aggregate.output
    logger.info(terminal.finished(outputs.runs, outputs.chosen, internals.which_run(sys.argv[1:])))


def report_failure(snakemake_logs):
    """After a failed run: each failed job and its message, as the run's last lines."""
    logger.error(terminal.failed(snakemake_logs))


if IN_CHARGE:
    internals.quiet_terminal(workflow, logger)  # the log file in .snakemake/log/ keeps every line
limit_memory_to_this_machine()
