"""The episode's dropout sweep on each Keras backend, side by side, on this machine: test loss per
rate (mean and spread over seeds), seconds per epoch, and whether the episode's conclusions about
the sweep hold (cnn_lesson.claims decides, as for results/lesson/claims.tsv).

    python bench/sweep_per_backend.py [--seeds 2] [--cores 2] [--backends tensorflow jax torch]

Each backend runs the workflow in a folder of its own (bench/work/backends/<backend>) on the real
archive where the workflow has fetched it, else on the generated full-size one (bench/work/).
A backend that is not installed is skipped, saying its install line. Writes
bench/work/backends.tsv (a row per backend and rate) and prints it.
"""

import argparse
import importlib.util
import statistics
import subprocess
from pathlib import Path

import pandas as pd
import yaml

from benchmark import ROOT, WORK, archive, md5_of
from cnn_lesson import claims, results
from cnn_lesson.editions import cifar10
from cnn_lesson.workflow.command import snakemake_command
from cnn_lesson.workflow.installed import INSTALL
from cnn_lesson.workflow.machine import cpu

SWEEP = "04_vary_dropout_rate"
TARGET = "results/tables/dropout_vs_test_loss.tsv"


def sweep_config(backend: str, seeds: int, path: Path) -> dict:
    """The default config's sweep alone, on `backend`, with `seeds` seeds."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["data"].update(archive=str(path), md5=md5_of(path), sha256=None)
    config["training"]["backend"] = backend
    config["experiments"] = [e for e in config["experiments"] if e.get("figure") == SWEEP]
    config["seeds"] = list(range(1, seeds + 1))
    return config


def run(backend: str, seeds: int, cores: int, path: Path) -> Path:
    """The sweep on `backend` in its own folder; what finished before is kept."""
    workdir = WORK / "backends" / backend
    (workdir / "config").mkdir(parents=True, exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(
        yaml.safe_dump(sweep_config(backend, seeds, path)))
    with open(workdir / "snakemake.log", "w") as out:
        subprocess.run(snakemake_command(ROOT, workdir, "--cores", str(cores), TARGET),
                       check=True, stdout=out, stderr=subprocess.STDOUT)
    return workdir


def evidence(workdir: Path) -> list[claims.Evidence]:
    """Each training of the sweep, as the claims read it (through cnn_lesson.results)."""
    return [claims.Evidence(found.dropout, found.seed, found.history(), found.metrics(),
                            found.epoch_seconds(), found.model)
            for found in results.editions(workdir)["cifar10"].finished()]


def rows(backend: str, found: list[claims.Evidence]) -> list[dict]:
    """A row per rate: test loss over seeds, the median seconds per epoch, and the verdicts."""
    facts = claims.Facts(None, None, {SWEEP: found})
    verdicts = {claim.claim: claim.row(facts)["verdict"] for claim in cifar10.CLAIMS
                if claim.claim in ("sweep_range", "sweep_lowest_rate")}
    rates = claims.sweep_rates(found)
    out = []
    for rate, row in rates.iterrows():
        seconds = [claims.epoch_seconds(run.seconds) for run in found if run.dropout == rate]
        out.append({"backend": backend, "rate": rate, "seeds": len(row["values"]),
                    "test_loss_mean": round(row["mean"], 4),
                    "test_loss_sd": round(row["sd"], 4) if pd.notna(row["sd"]) else None,
                    "seconds_per_epoch": round(statistics.median(seconds), 2),
                    "range_1.26_1.40": verdicts["sweep_range"],
                    "lowest_around_0.45": verdicts["sweep_lowest_rate"]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--backends", nargs="+", default=list(INSTALL))
    options = parser.parse_args()
    path, found = archive(), []
    machine = cpu()
    print(f"{machine['cpu']} ({machine['isa']}), {options.cores} cores, archive {path}")
    for backend in options.backends:
        if importlib.util.find_spec(backend) is None:
            print(f"{backend}: not installed, skipped (`{INSTALL[backend]}`)")
            continue
        found += rows(backend, evidence(run(backend, options.seeds, options.cores, path)))
    table = pd.DataFrame(found)
    table.to_csv(WORK / "backends.tsv", sep="\t", index=False)
    print(table.to_string(index=False))


if __name__ == "__main__":
    main()
