"""What each of a workflow run's trainings paid besides its epochs, read from its timings and
its benchmark file, and when the trainings ran.

    python bench/costs.py WORKDIR [--cores 2]

WORKDIR is a run's folder (its --directory), of either edition. Each training's timings.json
(found through cnn_lesson.results) says when its process started, when each epoch began and
ended, and when everything was saved; its benchmark file holds the job's whole wall time. From
them, per training:

- startup: the process's start to the first epoch's (Python, imports, data, model, compiling);
- tracing: the first epoch's seconds beyond the median of the others (building the graphs);
- between: the time between epochs (the checkpoint written after each);
- after: the last epoch's end to the saved records (model, history, provenance, checksums);
- exit: the rest of the job's wall time (the interpreter's exit, Snakemake's wrapper);
- fixed: the sum of the five, all the training pays besides its steady epochs.

The run's critical chain is the trainings that ran one after another on the core that finished
last; the bench splits the run's wall time along it (`chain_account`).
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

import pandas as pd

from cnn_lesson import results
from cnn_lesson.edition import load
from cnn_lesson.layout import Layout

PARTS = ("startup", "tracing", "between", "after", "exit")


def training_costs(timings: dict, wall: float) -> dict:
    """One training's costs (module docstring) from its timings.json and the job's wall time
    (its benchmark file): its start and end times, its epochs' seconds."""
    epochs = timings["epochs"]
    times = [epoch["seconds"] for epoch in epochs]
    start, first = timings["process_started"], epochs[0]
    steady = statistics.median(times[1:]) if len(times) > 1 else first["seconds"]
    costs = {"startup": first["started"] - start,
             "tracing": first["seconds"] - steady,
             "between": epochs[-1]["ended"] - first["started"] - sum(times),
             "after": timings["saved"] - epochs[-1]["ended"],
             "exit": wall - (timings["saved"] - start)}
    return {**costs, "fixed": sum(costs.values()), "epochs": len(times),
            "epoch_times": times, "epoch_seconds": sum(times), "steady_epoch": steady,
            "wall": wall, "threads": timings["threads"], "start": start, "end": start + wall}


def run_costs(workdir: Path) -> pd.DataFrame:
    """Every training of the run in `workdir` (either edition), one row each, in the order they
    started."""
    rows = []
    for name, found in results.editions(workdir).items():
        benchmarks = Path(workdir) / Layout(load(name).FOLDER).benchmarks / "train"
        for training in found.trainings:
            wall = float(pd.read_csv(benchmarks / f"{training.name}.tsv", sep="\t")["s"].iloc[0])
            rows.append({"training": training.name, "edition": name, "model": training.model,
                         **training_costs(training.timings(), wall)})
    return pd.DataFrame(rows).sort_values("start", ignore_index=True)


def busiest_core(seconds: list[float], cores: int) -> float:
    """The longest core's total when trainings of `seconds` are given, longest first, to the
    core that frees first (what Snakemake's priorities do): a bound on the trainings' time."""
    loads = [0.0] * cores
    for each in sorted(seconds, reverse=True):
        loads[loads.index(min(loads))] += each
    return max(loads)


def timeline(costs: pd.DataFrame, started: float, ended: float) -> dict:
    """When the trainings ran within a workflow run of `started`-`ended` (seconds since the
    epoch): before the first, alone at the end, and after the last."""
    ends = sorted(costs["end"])
    return {"before_first_training_s": costs["start"].min() - started,
            "last_training_alone_s": ends[-1] - ends[-2] if len(ends) > 1 else 0.0,
            "after_last_training_s": ended - ends[-1]}


def critical_chain(costs: pd.DataFrame) -> pd.DataFrame:
    """The trainings that ran one after another on the core that finished last: from the last
    to end, each one's predecessor is the training that ended last before it started."""
    chain = [costs["end"].idxmax()]
    while True:
        earlier = costs[costs["end"] <= costs.at[chain[-1], "start"]]
        if earlier.empty:
            return costs.loc[chain[::-1]]
        chain.append(earlier["end"].idxmax())


def chain_account(costs: pd.DataFrame, started: float) -> dict:
    """The run's wall time along its critical chain: before its first training, the chain's
    epochs (each training's wall time less its fixed costs), their fixed costs and the gaps
    between them (Snakemake starting the next). With the time after the last training
    (`timeline`) they add up to the run."""
    chain = critical_chain(costs)
    gaps = chain["start"].iloc[1:].to_numpy() - chain["end"].iloc[:-1].to_numpy()
    return {"chain_trainings": len(chain),
            "chain_before_s": chain["start"].iloc[0] - started,
            "chain_epochs_s": (chain["wall"] - chain["fixed"]).sum(),
            "chain_fixed_s": chain["fixed"].sum(),
            "chain_gaps_s": gaps.sum()}


def shown(costs: pd.DataFrame) -> pd.DataFrame:
    """The costs as the tables show them: without the times and the list of epochs."""
    return costs.drop(columns=["start", "end", "epoch_times", "edition", "model"])


def summary(costs: pd.DataFrame) -> pd.DataFrame:
    """The mean, smallest and largest of each cost over the trainings, rounded."""
    columns = [*PARTS, "fixed"]
    return costs[columns].agg(["mean", "min", "max"]).round(2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--cores", type=int, default=2)
    args = parser.parse_args()
    costs = run_costs(args.workdir)
    print(shown(costs).round(2).to_string(index=False))
    print(summary(costs).to_string())
    print(f"busiest core's epochs: {busiest_core(list(costs['epoch_seconds']), args.cores):.1f} s")
    chain = critical_chain(costs)
    print(f"the critical chain: {', '.join(chain['training'])}; its fixed costs "
          f"{chain['fixed'].sum():.1f} s")


if __name__ == "__main__":
    main()
