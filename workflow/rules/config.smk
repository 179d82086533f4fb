# What this run is: its config, checked, and its edition; the trainings it asks for, and the
# figures they make; the command line the user ran. No rules.
import re
from functools import cache
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.logging import logger
from snakemake.utils import validate

from cnn_lesson.edition import Grid, History, Sweep, load
from cnn_lesson.errors import InputError
from cnn_lesson import layout
from cnn_lesson.layout import TRAINING, Layout
from cnn_lesson.workflow import internals, summary
from cnn_lesson.workflow.config import (
    config_numbers_read_as_text,
    missing_base_config,
    refuse_emptied_mappings,
    refuse_numbers_read_as_text,
)
from cnn_lesson.workflow.installed import check_backend
from cnn_lesson.workflow.plan import figure_trainings, trainings_from_config
from cnn_lesson.workflow.provenance import json_digest
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


def checked_config():
    """The config, checked before anything is planned: a missing base config, a number YAML
    read as text (each named before the schema's long message), the schema, the edition (its
    module, checked as it loads) and its data keys. Returns the edition."""
    if missing := missing_base_config(config, WORKFLOW_ROOT, REMEDIES):
        raise WorkflowError(missing)
    try:
        if internals.in_charge(workflow):
            refuse_emptied_mappings(internals.config_files(workflow), config)
        refuse_numbers_read_as_text(
            config_numbers_read_as_text(config, WORKFLOW_ROOT / "workflow" / "schemas")
        )
        validate(config, schema="../schemas/config.schema.yaml")
        edition = load(config["edition"])
    except InputError as error:
        raise WorkflowError(str(error)) from None
    validate(config["data"], schema=f"../schemas/data/{config['edition']}.schema.yaml")
    return edition


# The edition: its data, models, figures and claims (cnn_lesson/editions/<edition>.py), and
# where its files go (each edition has a folder of its own; the CIFAR-10 edition's is empty).
EDITION = checked_config()
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
    TRAININGS = trainings_from_config(config, EDITION)
except InputError as error:
    raise WorkflowError(f"config: {error}") from None
if IN_CHARGE:
    try:
        check_backend(config["training"]["backend"])
    except InputError as error:  # the backend chosen is not installed here
        raise WorkflowError(str(error)) from None
FIGURE_TRAININGS = figure_trainings(TRAININGS)
# all the figures' trainings, figure by figure
CLAIM_TRAININGS = [planned for group in FIGURE_TRAININGS.values() for planned in group]
SUMMARY_NAMES = [name for name, _, _ in EDITION.SUMMARIES]


def figures_of(kind):
    """The figures of the edition of `kind` (History, Sweep, Grid) that the config makes."""
    return [name for name in FIGURE_TRAININGS if isinstance(EDITION.FIGURES[name], kind)]


HISTORIES = figures_of(History)
# Each history figure's loss figure, where the episode has one, by the loss figure's name
LOSS_FIGURES = {
    EDITION.FIGURES[name].loss: name for name in HISTORIES if EDITION.FIGURES[name].loss
}
GRIDS = figures_of(Grid)
# The edition's dropout curve, if it has one, by its name in the episode, and whether the
# config makes it
SWEEP_FIGURE = next(
    (name for name, kind in EDITION.FIGURES.items() if isinstance(kind, Sweep)), None
)
SWEEP_MADE = SWEEP_FIGURE in FIGURE_TRAININGS


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
    return code_params(SCRIPTS / script, WORKFLOW_ROOT, EDITION.module, names)


def data_recipe():
    """What the edition's prepared .npz is made from: prepare_data records it beside the file,
    and each training beside its outputs."""
    code = json_digest(code_of("prepare_data.py", ("DATA",)))[:12]
    return f"data: {DATA.recipe(config['data'])}, prepared by code {code}"


DATA_RECIPE = data_recipe()
