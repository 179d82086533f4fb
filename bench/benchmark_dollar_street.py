"""Time the Dollar Street 10 episode's own code against the workflow on the same work, side by
side in one run, on this machine.

    pip install keras-tuner tensorboard   # the episode's grid search needs them; the workflow never
    python bench/benchmark_dollar_street.py [--cores 2] [--epoch-scale 1.0]

Dollar Street 10 cannot be downloaded here: a zip in its format is generated under bench/work/
(878 training images as the episode's, and 220 test images, a guess: the episode does not print
the test split's size), random pixels, so early stopping ends the sweep's trainings where random
data makes it, not where the real data would. Prints and writes
bench/work/benchmark_dollar_street.tsv: both wall times, their ratio, each side's trainings and
epochs, the CPU.
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import yaml

from benchmark import ROOT, WORK, write_report
from cnn_lesson import results, synthetic
from cnn_lesson.workflow.command import snakemake_command
from cnn_lesson.workflow.machine import cpu

N_TRAIN, N_TEST = 878, 220
RESULTS = "results/dollar-street-10"


def generated_zip() -> tuple[Path, dict]:
    """The full-size zip in the edition's format, and its files' md5."""
    path = WORK / "dollar-street-10.zip"
    WORK.mkdir(parents=True, exist_ok=True)
    return path, synthetic.write_npy_zip(path, synthetic.dollar_street_arrays(N_TRAIN, N_TEST))


def scaled_config(path: Path, md5: dict, scale: float) -> dict:
    """The edition's config on the generated zip, its epochs scaled (at least 1)."""
    config = yaml.safe_load((ROOT / "config" / "dollar_street_10.yaml").read_text())
    config["data"].update(archive=str(path), md5=md5)
    for experiment in config["experiments"]:
        experiment["epochs"] = max(1, round(experiment["epochs"] * scale))
    return config


def run_lesson(path: Path, scale: float) -> dict:
    """The episode's code in one process: wall time and its trainings."""
    start = time.perf_counter()
    with open(WORK / "lesson_dollar_street.log", "w") as out:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "lesson_code_dollar_street.py"),
                               str(path), "--epoch-scale", str(scale)],
                              stdout=out, stderr=subprocess.PIPE, text=True, check=True)
    trainings = [json.loads(line) for line in done.stderr.splitlines()
                 if line.startswith('{"training"')]
    return {"wall": time.perf_counter() - start, "trainings": trainings}


def run_workflow(config: dict, cores: int) -> dict:
    """`snakemake --cores N --configfile ...` to the edition's lesson, in a fresh folder."""
    workdir = WORK / "workflow_dollar_street"
    subprocess.run(["rm", "-rf", str(workdir)], check=True)
    (workdir / "config").mkdir(parents=True)
    configfile = workdir / "config" / "dollar_street_10.yaml"
    configfile.write_text(yaml.safe_dump(config))
    start = time.perf_counter()
    with open(WORK / "workflow_dollar_street.log", "w") as out:
        # the targets before --configfile, which takes every word after it as a config file
        subprocess.run(snakemake_command(ROOT, workdir, "lesson", f"{RESULTS}/tables/runs.tsv",
                                         "--cores", str(cores), "--configfile", str(configfile)),
                       check=True, stdout=out, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    epochs = [len(found.epoch_seconds())
              for found in results.editions(workdir)["dollar_street_10"].trainings]
    return {"wall": wall, "trainings": len(epochs), "epochs": sum(epochs)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--epoch-scale", type=float, default=1.0,
                        help="fraction of the episode's epochs to run (default: all)")
    args = parser.parse_args()
    path, md5 = generated_zip()
    lesson = run_lesson(path, args.epoch_scale)
    workflow = run_workflow(scaled_config(path, md5, args.epoch_scale), args.cores)
    found = cpu()
    lesson_epochs = sum(t["epochs"] for t in lesson["trainings"])
    rows = [("machine", f"{platform.machine()}, {os.cpu_count()} cores"),
            ("cpu", found["cpu"]), ("cpu_isa", found["isa"]),
            ("epoch_scale", args.epoch_scale), ("cores", args.cores),
            ("images", f"{N_TRAIN} training, {N_TEST} test, generated"),
            ("lesson_seconds", round(lesson["wall"], 1)),
            ("workflow_seconds", round(workflow["wall"], 1)),
            ("speedup", round(lesson["wall"] / workflow["wall"], 2)),
            ("lesson_epochs", lesson_epochs), ("workflow_trainings", workflow["trainings"]),
            ("workflow_epochs", workflow["epochs"])]
    rows += [(f"lesson_seconds_{t['training'].replace(' ', '_')}", round(t["seconds"], 1))
             for t in lesson["trainings"]]
    write_report(rows, WORK / "benchmark_dollar_street.tsv", lesson["wall"], workflow["wall"])


if __name__ == "__main__":
    main()
