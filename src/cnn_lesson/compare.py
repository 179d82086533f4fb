"""Two finished runs side by side (`cnn-lesson compare A B`): the claims' verdicts, flips first;
each run's test numbers as mean +- sd over seeds and whether they moved beyond the noise; each
sweep's chosen rate; the training curves overlaid; what differs between the two (config,
packages, backend, machine, threads) and the runs only one side has.

A and B are folders holding finished runs: a run's --directory, or a copy of its results/. A
run is finished where its evaluate job wrote metrics.json. Nothing here trains or imports Keras.
"""

from __future__ import annotations

import json
import math
import statistics
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from cnn_lesson.claims import READINGS
from cnn_lesson.edition import EDITIONS, load
from cnn_lesson.errors import InputError
from cnn_lesson.workflow.layout import dropout_label

# The one rule that says whether a number moved
NOISE_RULE = ("a difference is beyond the noise when the means differ by more than twice the "
              "standard error of their difference, sqrt(sd_A^2/n_A + sd_B^2/n_B), over each "
              "side's seeds; with one seed on a side it cannot tell; equal numbers are the same")
SAME, WITHIN, BEYOND, CANNOT_TELL = "same", "within the noise", "beyond the noise", "cannot tell"
METRICS = ("test_loss", "test_accuracy")
CURVES_PER_ROW = 4
# What provenance.json says of a training's environment and settings that a comparison names
SETTINGS = ("epochs", "batch_size", "validation_split", "validation_batch_size", "patience",
            "data")


@dataclass
class Side:
    """One edition's finished runs in one of the folders compared."""

    label: str
    results: Path

    def runs(self) -> pd.DataFrame:
        """model, dropout, seed and the test metrics of each finished run."""
        rows = []
        for path in sorted(self.results.glob("evaluate/*/dropout-*/seed-*/metrics.json")):
            seed, dropout, model = path.parent.name, path.parents[1].name, path.parents[2].name
            values = json.loads(path.read_text())
            rows.append({"model": model, "dropout": float(dropout.removeprefix("dropout-")),
                         "seed": int(seed.removeprefix("seed-")),
                         **{name: float(values[name]) for name in METRICS}})
        return pd.DataFrame(rows, columns=["model", "dropout", "seed", *METRICS])

    def table(self, name: str) -> pd.DataFrame | None:
        path = self.results / name
        return pd.read_csv(path, sep="\t") if path.is_file() else None

    def provenance(self) -> list[dict]:
        return [json.loads(path.read_text())
                for path in sorted(self.results.glob("train/*/dropout-*/seed-*/provenance.json"))]

    def history(self, model: str, dropout: str) -> list[pd.DataFrame]:
        return [pd.read_csv(path, sep="\t") for path in
                sorted(self.results.glob(f"train/{model}/dropout-{dropout}/seed-*/history.tsv"))]


def editions_in(folder: Path) -> dict[str, Path]:
    """{edition: its results folder} for each edition with a finished run under `folder` (a
    run's --directory, or its results/)."""
    top = folder / "results" if (folder / "results").is_dir() else folder
    found = {}
    for name in EDITIONS:
        results = top / load(name).FOLDER if load(name).FOLDER else top
        if any(results.glob("evaluate/*/dropout-*/seed-*/metrics.json")):
            found[name] = results
    return found


def pairs(a: Path, b: Path) -> list[tuple[str, Side, Side]]:
    """(edition, A's side, B's side) for each edition to compare; InputError for a folder with no
    finished run, or two folders of different editions."""
    found = {}
    for folder in (a, b):
        if not folder.is_dir():
            raise InputError(f"{folder} is not a folder: give a run's folder (its --directory) "
                             f"or a copy of its results/.")
        found[folder] = editions_in(folder)
        if not found[folder]:
            raise InputError(f"{folder} holds no finished run (no results/evaluate/.../"
                             f"metrics.json under it): give a run's folder (its --directory) or "
                             f"a copy of its results/, after the run has finished.")
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
    """A row per (model, rate) and metric both sides hold: each side's mean +- sd, the
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
    """The runs (model, rate, seed) only one side holds, in words."""
    ours = set(zip(a["model"], a["dropout"], a["seed"]))
    theirs = set(zip(b["model"], b["dropout"], b["seed"]))
    return [f"{side} only: {model} dropout {dropout:g} seed {seed}"
            for side, runs in (("A", ours - theirs), ("B", theirs - ours))
            for model, dropout, seed in sorted(runs)]


def timed_claims(edition) -> set[str]:
    """The claims that rest on timings: shown, never the exit status's concern."""
    return {claim.claim for claim in edition.CLAIMS
            if getattr(claim, "reading", None) == READINGS["speed"]}


def compare_claims(a: pd.DataFrame | None, b: pd.DataFrame | None, timed: set[str]):
    """Each claim's verdict in A and in B, flips first."""
    columns = ["claim", "A", "B", "flipped", "timed", "measured A", "measured B"]
    if a is None or b is None:
        return pd.DataFrame(columns=columns)
    both = a.merge(b, on="claim", suffixes=(" A", " B"))
    table = pd.DataFrame({
        "claim": both["claim"], "A": both["verdict A"], "B": both["verdict B"],
        "flipped": both["verdict A"] != both["verdict B"],
        "timed": both["claim"].isin(timed),
        "measured A": both["measured A"], "measured B": both["measured B"]})
    return table.sort_values("flipped", ascending=False, kind="stable")[columns]


def compare_chosen(a: pd.DataFrame | None, b: pd.DataFrame | None) -> pd.DataFrame:
    """Each sweep's chosen rate in A and in B."""
    if a is None or b is None:
        return pd.DataFrame(columns=["model", "A", "B"])
    both = a.merge(b, on="model", suffixes=(" A", " B"))
    return pd.DataFrame({"model": both["model"], "A": both["chosen_rate A"],
                         "B": both["chosen_rate B"]})


def environment_of(records: list[dict]) -> dict[str, str]:
    """What the trainings of one side ran with: each field, its values joined where they vary."""
    fields: dict[str, set[str]] = {}
    for record in records:
        values = {**{f"environment.{key}": value for key, value in record["environment"].items()},
                  **{f"run.{key}": record["run"].get(key) for key in SETTINGS},
                  "config_digest": record.get("config_digest"),
                  "workflow.commit": record["workflow"].get("commit")}
        for key, value in values.items():
            fields.setdefault(key, set()).add(str(value))
    return {key: ", ".join(sorted(values)) for key, values in fields.items()}


def compare_environments(a: list[dict], b: list[dict]) -> pd.DataFrame:
    """The fields of the trainings' provenance that differ between the sides."""
    ours, theirs = environment_of(a), environment_of(b)
    rows = [{"what": key, "A": ours.get(key, "-"), "B": theirs.get(key, "-")}
            for key in sorted(set(ours) | set(theirs)) if ours.get(key) != theirs.get(key)]
    return pd.DataFrame(rows, columns=["what", "A", "B"])


@dataclass
class Comparison:
    """One edition's runs in A and in B, compared."""

    edition: str
    a: Side
    b: Side
    runs: pd.DataFrame
    only: list[str]
    claims: pd.DataFrame
    chosen: pd.DataFrame
    environments: pd.DataFrame

    def reasons(self) -> list[str]:
        """Why the two differ (empty: they agree): verdicts that flip (timings aside), numbers
        beyond the noise, runs only one side holds."""
        flips = self.claims[self.claims["flipped"] & ~self.claims["timed"]]
        moved = self.runs[self.runs["noise"] == BEYOND]
        return ([f"claim {row.claim}: {row.A} in A, {row.B} in B" for row in flips.itertuples()]
                + [f"{row.model} dropout {row.dropout:g} {row.metric}: {row.A} in A, {row.B} "
                   f"in B, {row.noise}" for row in moved.itertuples()]
                + self.only)


def compare(a: Path, b: Path) -> list[Comparison]:
    """Each edition both folders hold, compared."""
    found = []
    for name, ours, theirs in pairs(Path(a), Path(b)):
        runs_a, runs_b = ours.runs(), theirs.runs()
        found.append(Comparison(
            name, ours, theirs, compare_runs(runs_a, runs_b), only_one_side(runs_a, runs_b),
            compare_claims(ours.table("lesson/claims.tsv"), theirs.table("lesson/claims.tsv"),
                           timed_claims(load(name))),
            compare_chosen(ours.table("tables/chosen_dropout.tsv"),
                           theirs.table("tables/chosen_dropout.tsv")),
            compare_environments(ours.provenance(), theirs.provenance())))
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
                   "runs on both sides.") + chosen_note(found.chosen), "",
                  "### The claims, flips first", "", markdown_table(found.claims), "",
                  f"### Test numbers ({NOISE_RULE})", "", markdown_table(found.runs), "",
                  "### Runs only one side holds", "",
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


def draw_curves(found: Comparison, path: Path) -> None:
    """Each run both sides hold: validation loss per epoch, mean over seeds, A and B overlaid."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    shown = list(found.runs[["model", "dropout"]].drop_duplicates().itertuples(index=False))
    columns = min(max(len(shown), 1), CURVES_PER_ROW)
    rows = max(math.ceil(len(shown) / columns), 1)
    fig, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis in axes.flat[len(shown):]:
        axis.set_visible(False)
    for axis, (model, dropout) in zip(axes.flat, shown):
        for side, style in ((found.a, "-"), (found.b, "--")):
            histories = side.history(model, dropout_label(dropout))
            if histories:
                mean = pd.concat(histories).groupby(level=0)["val_loss"].mean()
                axis.plot(range(1, len(mean) + 1), mean, style, label=side.label)
        axis.set_title(f"{model}, dropout {dropout:g}")
        axis.set_xlabel("epoch")
        axis.set_ylabel("validation loss")
        if axis.get_lines():
            axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(comparisons: list[Comparison], a: Path, b: Path, out: Path) -> str:
    """Write the comparison under `out` (Markdown, a TSV per table, JSON, curves per edition);
    return the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(comparisons, a, b)
    (out / "compare.md").write_text(text)
    summary = {}
    for found in comparisons:
        prefix = f"{found.edition}_" if len(comparisons) > 1 else ""
        for name in ("runs", "claims", "chosen", "environments"):
            getattr(found, name).to_csv(out / f"{prefix}{name}.tsv", sep="\t", index=False)
        draw_curves(found, out / f"{prefix}curves.png")
        summary[found.edition] = {"differs": found.reasons(), "only": found.only}
    (out / "compare.json").write_text(json.dumps(summary, indent=2) + "\n")
    return text
