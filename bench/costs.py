"""What each of a workflow run's trainings paid besides its epochs, read from its log and its
benchmark file, and when the trainings ran.

    python bench/costs.py WORKDIR [--cores 2]

A training's log says when its process started ("job process started X s ago"), each epoch's
line (time-stamped when the epoch ends, with its seconds) and when everything was saved; its
benchmark file holds the job's whole wall time. From them, per training:

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
import re
import statistics
from datetime import datetime
from pathlib import Path

import pandas as pd

from cnn_lesson import claims

STAMP = r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) "
STARTED = re.compile(STAMP + r".*job process started (\d+\.\d+) s ago$", re.MULTILINE)
# a training's line per epoch, as the claims read it (epoch, seconds), with its time stamp
EPOCH = re.compile(STAMP + r".*?" + claims.EPOCH_LINE.pattern, re.MULTILINE)
SAVED = re.compile(STAMP + r".*saved the model, its history and records$", re.MULTILINE)
PARTS = ("startup", "tracing", "between", "after", "exit")


def _time(stamp: str) -> float:
    return datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def training_costs(log: Path, benchmark: Path) -> dict:
    """One training's costs (module docstring), its start and end times, its epochs' seconds."""
    text = log.read_text()
    started, age = STARTED.findall(text)[-1]
    start = _time(started) - float(age)
    epochs = {int(n): (_time(stamp), float(s)) for stamp, n, s in EPOCH.findall(text)}
    times = [epochs[n][1] for n in sorted(epochs)]
    first_end, first_s = epochs[min(epochs)]
    last_end = epochs[max(epochs)][0]
    saved = _time(SAVED.findall(text)[-1])
    wall = float(pd.read_csv(benchmark, sep="\t")["s"].iloc[0])
    steady = statistics.median(times[1:]) if len(times) > 1 else first_s
    costs = {"startup": first_end - first_s - start,
             "tracing": first_s - steady,
             "between": last_end - (first_end - first_s) - sum(times),
             "after": saved - last_end,
             "exit": wall - (saved - start)}
    return {**costs, "fixed": sum(costs.values()), "epochs": len(times),
            "epoch_times": times, "epoch_seconds": sum(times), "steady_epoch": steady, "wall": wall,
            "start": start, "end": start + wall}


def run_costs(workdir: Path) -> pd.DataFrame:
    """Every training of the run in `workdir`, one row each, in the order they started."""
    rows = []
    for log in sorted((workdir / "logs" / "train").rglob("*.log")):
        run = log.relative_to(workdir / "logs" / "train").with_suffix("")
        benchmark = workdir / "benchmarks" / "train" / run.with_suffix(".tsv")
        rows.append({"training": str(run), **training_costs(log, benchmark)})
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
    return costs.drop(columns=["start", "end", "epoch_times"])


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
