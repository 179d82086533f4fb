"""Where the workflow's files go, each fact written once: the rules write there, and the reader of
results (cnn_lesson.results) finds them there again; the checks, the bench and the tests read it
from here too.

Each edition has a folder of its own under results/, logs/, benchmarks/, checkpoints/ and
resources/ (`FOLDER` in its module), so that both editions' results live side by side; the
CIFAR-10 edition's folder is empty, so its paths are the ones it has always had.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

# A training's folder under each stage's folder (results/train/, results/evaluate/, logs/train/...)
TRAINING = "{model}/dropout-{dropout}/seed-{seed}"
# Per-epoch state of each training, outside its outputs (rule train)
CHECKPOINTS = "checkpoints"
# What a training's folder under results/train/ holds (rule train writes them)
MODEL, HISTORY, SUMMARY = "model.keras", "history.tsv", "summary.txt"
PROVENANCE = "provenance.json"  # its record: its settings, environment, code (what made it)
TIMINGS = "timings.json"  # when its process started, each epoch began and ended, it saved
CHECKSUMS = "checksums.json"  # the size and SHA-256 of each file above, written last
# What its folder under results/evaluate/ holds (rule evaluate)
METRICS = "metrics.json"


def dropout_label(rate: float) -> str:
    """The one spelling of a dropout rate in paths: two decimals at least (0.8 -> '0.80'), as
    many as it takes, never an exponent (0.00001 -> '0.00001'), never a sign (-0.0 -> '0.00')."""
    rate = float(rate) + 0.0  # -0.0 + 0.0 is 0.0
    label = f"{rate:.2f}"
    return label if float(label) == rate else format(Decimal(repr(rate)), "f")


def training_folder(model: str, dropout: float, seed: int) -> str:
    """A training's folder, e.g. 'base/dropout-0.00/seed-1'."""
    return TRAINING.format(model=model, dropout=dropout_label(dropout), seed=seed)


@dataclass(frozen=True)
class Layout:
    """The top folders of one edition's files: `folder` under each of them ('' for none)."""

    folder: str

    def _under(self, top: str) -> str:
        return f"{top}/{self.folder}" if self.folder else top

    @property
    def results(self) -> str:
        return self._under("results")

    @property
    def logs(self) -> str:
        return self._under("logs")

    @property
    def benchmarks(self) -> str:
        return self._under("benchmarks")

    @property
    def checkpoints(self) -> str:
        return self._under(CHECKPOINTS)

    @property
    def resources(self) -> str:
        return self._under("resources")

    @property
    def figures(self) -> str:
        """The episode's figures, under their own file names."""
        return f"{self.results}/{FIGURES}"


# Below an edition's results folder: each stage's folder of trainings, and the tables that
# compare and the end summary read
TRAINED, EVALUATED = "train", "evaluate"
CLAIMS_TABLE = "lesson/claims.tsv"
FIGURES = "lesson/fig"  # the episode's figures, under their own names
FIGURES_MARKDOWN = "lesson/figures.md"  # each figure's line, its alt text computed
CHOSEN_TABLE = "tables/chosen_dropout.tsv"
RUNS_TABLE = "tables/runs.tsv"
