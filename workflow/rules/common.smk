# Config validation, wildcard constraints and target functions; no rules.
from snakemake.utils import validate

from cnn_lesson.architectures import ARCHITECTURES
from cnn_lesson.errors import InputError
from cnn_lesson.experiments import runs_from_config


validate(config, schema="../schemas/config.schema.yaml")

# Every rule runs in the project's one environment (the same packages as pyproject.toml).
ENVIRONMENT = "../../environment.yml"
try:
    RUNS = runs_from_config(config)
except InputError as error:
    raise WorkflowError(f"config: {error}") from None
RUN_PATHS = [run.path for run in RUNS]


wildcard_constraints:
    model="|".join(ARCHITECTURES),
    dropout=r"0\.\d+",
    seed=r"\d+",


def archive_source():
    """The local copy the config names, or else the download URL."""
    return config["data"]["archive"] or config["data"]["url"]


def run_of(wildcards):
    """The configured run that the wildcards of a train or evaluate job name."""
    path = f"{wildcards.model}/dropout-{wildcards.dropout}/seed-{wildcards.seed}"
    return RUNS[RUN_PATHS.index(path)]


def run_files(pattern):
    """`pattern` (with {run} for model/dropout/seed) for every configured run, in config order."""
    return [pattern.format(run=path) for path in RUN_PATHS]


def final_targets():
    """Everything a bare `snakemake` makes: every run's files, plots and the aggregate tables."""
    return [
        *run_files("results/evaluate/{run}/metrics.json"),
        *run_files("results/plots/{run}/accuracy.png"),
        *run_files("results/plots/{run}/loss.png"),
        *rules.aggregate.output,
    ]
