"""Two finished runs side by side (`cnn-lesson compare A B`): the claims' verdicts, flips first;
each point's test numbers as mean +- sd over seeds and whether they moved beyond the noise; each
sweep's chosen rate; the training curves overlaid; what differs between the two (config,
packages, backend, machine, threads) and the trainings only one side has.

A and B are results folders (a run's --directory, a copy of its results/, or one edition's
results folder), read through cnn_lesson.results: each training's model, rate, seed and edition
come from its own record. A training is finished where its evaluate job wrote metrics.json.
Every file read that is missing or not of its form is an InputError naming it. Nothing here
trains or imports Keras.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cnn_lesson import layout, results
from cnn_lesson.claims import READINGS
from cnn_lesson.edition import load
from cnn_lesson.errors import InputError

# The one rule that says whether a number moved
NOISE_RULE = ("a difference is beyond the noise when the means differ by more than twice the "
              "standard error of their difference, sqrt(sd_A^2/n_A + sd_B^2/n_B), over each "
              "side's seeds; with one seed on a side it cannot tell; equal numbers are the same")
SAME, WITHIN, BEYOND, CANNOT_TELL = "same", "within the noise", "beyond the noise", "cannot tell"
METRICS = results.METRICS
# What a training's record says of its environment and settings that a comparison names
SETTINGS = ("epochs", "batch_size", "validation_split", "validation_batch_size", "patience",
            "data")
# The tables each side must hold, with the columns read from them
TABLES = {layout.CLAIMS_TABLE: ("claim", "verdict", "measured"),
          layout.CHOSEN_TABLE: ("model", "chosen_rate")}
NUMBERS = ("chosen_rate",)  # columns that hold numbers
CURVES_PER_ROW = 4


@dataclass
class Side:
    """One edition's finished trainings in one of the folders compared."""

    label: str
    found: results.EditionResults

    @property
    def trainings(self) -> list[results.Trained]:
        return self.found.finished()

    def runs(self) -> pd.DataFrame:
        """model, dropout, seed and the test metrics of each finished training."""
        rows = []
        for found in self.trainings:
            metrics = found.metrics()
            rows.append({"model": found.model, "dropout": found.dropout, "seed": found.seed,
                         **{name: metrics[name] for name in METRICS}})
        return pd.DataFrame(rows, columns=["model", "dropout", "seed", *METRICS])

    def table(self, relative: str) -> pd.DataFrame:
        """One of the tables a side must hold, checked to have the columns read from it."""
        path = self.found.table(relative)
        if not path.exists():
            raise InputError(f"{path} is missing, so {self.label}'s claims and chosen rates "
                             f"cannot be compared: finish that run first (`snakemake --cores "
                             f"all` with its own --directory and --configfile makes it), or "
                             f"compare another.")
        return results.read_table(path, TABLES[relative],
                                  tuple(set(NUMBERS) & set(TABLES[relative])))

    def histories(self, point: tuple[str, float]) -> list[pd.DataFrame]:
        return [found.history() for found in self.trainings if found.point == point]


def pairs(a: Path, b: Path) -> list[tuple[str, Side, Side]]:
    """(edition, A's side, B's side) for each edition to compare; InputError for one folder
    given twice, a folder with no finished run, or two folders of different editions."""
    if a.resolve() == b.resolve():
        raise InputError(f"{a} and {b} are the same folder: give two runs' folders.")
    found = {folder: results.finished_editions(folder) for folder in (a, b)}
    common = sorted(set(found[a]) & set(found[b]))
    if not common:
        raise InputError(f"{a} holds runs of {', '.join(found[a])} and {b} of "
                         f"{', '.join(found[b])}: only runs of one edition compare.")
    return [(name, Side("A", found[a][name]), Side("B", found[b][name])) for name in common]


def noise(a: list[float], b: list[float]) -> str:
    """Whether two sides' values (one per seed) differ beyond the noise (NOISE_RULE)."""
    if sorted(a) == sorted(b):
        return SAME
    if len(a) < 2 or len(b) < 2:
        return CANNOT_TELL
    error = math.sqrt(statistics.variance(a) / len(a) + statistics.variance(b) / len(b))
    return BEYOND if abs(statistics.mean(a) - statistics.mean(b)) > 2 * error else WITHIN


def mean_sd(values: list[float]) -> str:
    if not values:
        return "-"
    if len(values) == 1:
        return f"{values[0]:.4f}"
    return f"{statistics.mean(values):.4f} +- {statistics.stdev(values):.4f}"


def compare_runs(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """A row per point (model, rate) and metric both sides hold: each side's mean +- sd, the
    difference B - A, the noise verdict and the better side."""
    rows = []
    for (model, dropout), ours in a.groupby(["model", "dropout"]):
        theirs = b[(b["model"] == model) & (b["dropout"] == dropout)]
        if theirs.empty:
            continue
        for metric in METRICS:
            x, y = ours[metric].tolist(), theirs[metric].tolist()
            verdict = noise(x, y)
            difference = statistics.mean(y) - statistics.mean(x)
            lower_better = metric.endswith("loss")
            better = "-" if verdict != BEYOND else (
                "B" if (difference < 0) == lower_better else "A")
            rows.append({"model": model, "dropout": dropout, "metric": metric,
                         "seeds": f"{len(x)} / {len(y)}", "A": mean_sd(x), "B": mean_sd(y),
                         "difference": f"{difference:+.4f}", "noise": verdict,
                         "better": better})
    return pd.DataFrame(rows, columns=["model", "dropout", "metric", "seeds", "A", "B",
                                       "difference", "noise", "better"])


def only_one_side(a: pd.DataFrame, b: pd.DataFrame) -> list[str]:
    """The trainings (model, rate, seed) only one side holds, in words."""
    ours = set(zip(a["model"], a["dropout"], a["seed"]))
    theirs = set(zip(b["model"], b["dropout"], b["seed"]))
    return [f"{side} only: {model} dropout {dropout:g} seed {seed}"
            for side, runs in (("A", ours - theirs), ("B", theirs - ours))
            for model, dropout, seed in sorted(runs)]


def timed_claims(edition) -> set[str]:
    """The claims that rest on timings: shown, never the exit status's concern."""
    return {claim.claim for claim in edition.CLAIMS
            if getattr(claim, "reading", None) == READINGS["speed"]}


def compare_claims(a: pd.DataFrame, b: pd.DataFrame, timed: set[str]) -> pd.DataFrame:
    """Each claim's verdict in A and in B, flips first; a claim only one side holds flips."""
    columns = ["claim", "A", "B", "flipped", "timed", "measured A", "measured B"]
    both = a.merge(b, on="claim", how="outer", suffixes=(" A", " B"), sort=False)
    table = pd.DataFrame({
        "claim": both["claim"], "A": both["verdict A"].fillna("-"),
        "B": both["verdict B"].fillna("-"),
        "flipped": both["verdict A"].fillna("-") != both["verdict B"].fillna("-"),
        "timed": both["claim"].isin(timed),
        "measured A": both["measured A"].fillna("-"), "measured B": both["measured B"].fillna("-")})
    return table.sort_values("flipped", ascending=False, kind="stable")[columns]


def compare_chosen(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Each sweep's chosen rate in A and in B."""
    both = a.merge(b, on="model", suffixes=(" A", " B"))
    return pd.DataFrame({"model": both["model"], "A": both["chosen_rate A"],
                         "B": both["chosen_rate B"]})


def environment_of(trainings: list[results.Trained]) -> dict[str, str]:
    """What the trainings of one side ran with: each field, its values joined where they vary."""
    fields: dict[str, set[str]] = {}
    for found in trainings:
        record, environment = found.record, found.record.get("environment")
        if not isinstance(environment, dict) or not isinstance(record.get("workflow"), dict):
            raise InputError(f"{found.file(layout.PROVENANCE)} lacks its environment or "
                             f"workflow: {results.MEND}.")
        values = {**{f"environment.{key}": value for key, value in environment.items()},
                  **{f"training.{key}": found.settings.get(key) for key in SETTINGS},
                  "config_digest": record.get("config_digest"),
                  "workflow.commit": record["workflow"].get("commit")}
        for key, value in values.items():
            fields.setdefault(key, set()).add(str(value))
    return {key: ", ".join(sorted(values)) for key, values in fields.items()}


def compare_environments(a: list[results.Trained], b: list[results.Trained]) -> pd.DataFrame:
    """The fields of the trainings' records that differ between the sides."""
    ours, theirs = environment_of(a), environment_of(b)
    rows = [{"what": key, "A": ours.get(key, "-"), "B": theirs.get(key, "-")}
            for key in sorted(set(ours) | set(theirs)) if ours.get(key) != theirs.get(key)]
    return pd.DataFrame(rows, columns=["what", "A", "B"])


@dataclass
class Comparison:
    """One edition's trainings in A and in B, compared."""

    edition: str
    a: Side
    b: Side
    runs: pd.DataFrame
    only: list[str]
    claims: pd.DataFrame
    chosen: pd.DataFrame
    environments: pd.DataFrame
    # each point both sides hold: the histories of its seeds on each side
    curves: dict[tuple[str, float], tuple[list[pd.DataFrame], list[pd.DataFrame]]]

    def reasons(self) -> list[str]:
        """Why the two differ (empty: they agree): verdicts that flip (timings aside), numbers
        beyond the noise, trainings only one side holds."""
        flips = self.claims[self.claims["flipped"] & ~self.claims["timed"]]
        moved = self.runs[self.runs["noise"] == BEYOND]
        return ([f"claim {row.claim}: {row.A} in A, {row.B} in B" for row in flips.itertuples()]
                + [f"{row.model} dropout {row.dropout:g} {row.metric}: {row.A} in A, {row.B} "
                   f"in B, {row.noise}" for row in moved.itertuples()]
                + self.only)


def compare(a: Path, b: Path) -> list[Comparison]:
    """Each edition both folders hold, compared: every file read first, so that a bad one stops
    it before anything is written."""
    found = []
    for name, ours, theirs in pairs(Path(a), Path(b)):
        runs_a, runs_b = ours.runs(), theirs.runs()
        claims = [side.table(layout.CLAIMS_TABLE) for side in (ours, theirs)]
        chosen = [side.table(layout.CHOSEN_TABLE) for side in (ours, theirs)]
        runs = compare_runs(runs_a, runs_b)
        shown = runs[["model", "dropout"]].drop_duplicates().itertuples(index=False)
        curves = {tuple(point): (ours.histories(tuple(point)), theirs.histories(tuple(point)))
                  for point in shown}
        found.append(Comparison(
            name, ours, theirs, runs, only_one_side(runs_a, runs_b),
            compare_claims(*claims, timed_claims(load(name))), compare_chosen(*chosen),
            compare_environments(ours.trainings, theirs.trainings), curves))
    return found


def markdown_table(table: pd.DataFrame) -> str:
    if table.empty:
        return "(none)"
    cells = table.astype(str)
    lines = ["| " + " | ".join(cells.columns) + " |", "|" + "---|" * len(cells.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells.itertuples(index=False)]
    return "\n".join(lines)


def markdown(comparisons: list[Comparison], a: Path, b: Path) -> str:
    """The comparison as Markdown: what differs first, then each table."""
    lines = [f"# {a} (A) against {b} (B)", ""]
    for found in comparisons:
        reasons = found.reasons()
        lines += [f"## {found.edition}", "",
                  (f"They differ: {'; '.join(reasons)}." if reasons else
                   "They agree: no verdict flips, no number moved beyond the noise, the same "
                   "trainings on both sides.") + chosen_note(found.chosen), "",
                  "### The claims, flips first", "", markdown_table(found.claims), "",
                  f"### Test numbers ({NOISE_RULE})", "", markdown_table(found.runs), "",
                  "### Trainings only one side holds", "",
                  "\n".join(f"- {run}" for run in found.only) or "(none)", "",
                  "### Each sweep's chosen rate", "", markdown_table(found.chosen), "",
                  "### What differs in what made them", "", markdown_table(found.environments),
                  ""]
    return "\n".join(lines)


def chosen_note(chosen: pd.DataFrame) -> str:
    """A sentence on the sweeps whose chosen rate differs (the seeds' noise decides whether that
    matters: the test numbers say)."""
    moved = chosen[chosen["A"] != chosen["B"]]
    return "".join(f" The sweep of {row.model} chose {row.A:g} in A and {row.B:g} in B; the "
                   f"test numbers say whether that is beyond the noise." for row in
                   moved.itertuples())


def curves_figure(found: Comparison):
    """Each point both sides hold: validation loss per epoch, mean over seeds, A and B
    overlaid."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = min(max(len(found.curves), 1), CURVES_PER_ROW)
    rows = max(math.ceil(len(found.curves) / columns), 1)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis in axes.flat[len(found.curves):]:
        axis.set_visible(False)
    for axis, ((model, dropout), sides) in zip(axes.flat, found.curves.items()):
        for label, histories, style in (("A", sides[0], "-"), ("B", sides[1], "--")):
            if histories:
                mean = pd.concat(histories).groupby(level=0)["val_loss"].mean()
                axis.plot(range(1, len(mean) + 1), mean, style, label=label)
        axis.set_title(f"{model}, dropout {dropout:g}")
        axis.set_xlabel("epoch")
        axis.set_ylabel("validation loss")
        if axis.get_lines():
            axis.legend()
    fig.tight_layout()
    return fig


def outputs(comparisons: list[Comparison], a: Path, b: Path) -> dict[str, object]:
    """What `cnn-lesson compare` writes, by file name: the Markdown, a TSV per table and the
    curves per edition, and compare.json (what differs)."""
    files: dict[str, object] = {"compare.md": markdown(comparisons, a, b)}
    summary = {}
    for found in comparisons:
        prefix = f"{found.edition}_" if len(comparisons) > 1 else ""
        for name in ("runs", "claims", "chosen", "environments"):
            files[f"{prefix}{name}.tsv"] = getattr(found, name).to_csv(sep="\t", index=False)
        files[f"{prefix}curves.png"] = curves_figure(found)
        summary[found.edition] = {"differs": found.reasons(), "only": found.only}
    files["compare.json"] = json.dumps(summary, indent=2) + "\n"
    return files
