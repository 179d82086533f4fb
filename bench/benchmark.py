"""Time the lesson's own code against the workflow on the same work, on this machine.

    python bench/benchmark.py [--cores 2] [--epoch-scale 1.0] [--workflow-only]

Uses resources/cifar-10-python.tar.gz when it is the real archive, else generates a full-size
one in the CIFAR-10 format (50,000 + 10,000 random images) under bench/work/, so it runs
offline. Prints and writes to bench/work/benchmark.tsv: both wall times and their ratio, seconds
per epoch per model, peak memory, and the fraction of the CPU's arithmetic peak that training
reaches (FLOPs counted from the models; the peak is numpy's float32 matrix product measured
here with the same number of threads), and what each training paid besides its epochs
(bench/costs.py: start-up, tracing, checkpoints, saving, exit; per training in
bench/work/costs.tsv) with the bound its epochs alone allow: the busiest core's epochs.
"""

import argparse
import json
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import yaml

from cnn_lesson import synthetic
from cnn_lesson.files import hashes
from cnn_lesson.workflow.command import snakemake_command
from cnn_lesson.workflow.machine import cpu

sys.path.insert(0, str(Path(__file__).parent))
import costs  # noqa: E402 - bench/costs.py, beside this file

ROOT = Path(__file__).resolve().parents[1]

WORK = ROOT / "bench" / "work"
N_TRAIN, N_TEST = 5000, 10000


def officialmd5_of() -> str:
    """The real archive's MD5: the CIFAR-10 data schema's default for data.md5."""
    schema = ROOT / "workflow" / "schemas" / "data" / "cifar10.schema.yaml"
    return yaml.safe_load(schema.read_text())["properties"]["md5"]["default"]


def archive() -> Path:
    """The real archive if the workflow has fetched it, else a generated full-size one."""
    real = ROOT / "resources" / "cifar-10-python.tar.gz"
    if real.exists() and md5_of(real) == officialmd5_of():
        return real
    generated = WORK / "cifar-10-python.tar.gz"
    if not generated.exists():
        print(f"generating a full-size archive in {generated}", flush=True)
        WORK.mkdir(parents=True, exist_ok=True)
        synthetic.write_archive(generated, synthetic.members(10000, 10000))
    return generated


def md5_of(path: Path) -> str:
    return hashes(path, "md5")["md5"]


def experiments(scale: float) -> list[dict]:
    """The default config's experiments with their epochs scaled (at least 1)."""
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    return [{**e, "epochs": max(1, math.ceil(e["epochs"] * scale))}
            for e in config["experiments"]]


def run_lesson(path: Path, scale: float) -> dict:
    """The episode's code in one process: wall time, trainings, peak memory."""
    log = WORK / "lesson.log"
    start = time.perf_counter()
    with open(log, "w") as out:
        done = subprocess.run([sys.executable, str(ROOT / "bench" / "lesson_code.py"), str(path),
                               "--epoch-scale", str(scale)],
                              stdout=out, stderr=subprocess.PIPE, text=True, check=True)
    wall = time.perf_counter() - start
    trainings = [json.loads(line) for line in done.stderr.splitlines()
                 if line.startswith('{"training"')]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"wall": wall, "trainings": trainings, "peak_mb": peak}


def run_workflow(path: Path, scale: float, cores: int) -> dict:
    """`snakemake --cores N` from the archive to the aggregate tables, in a fresh folder."""
    workdir = WORK / "workflow"
    subprocess.run(["rm", "-rf", str(workdir)], check=True)
    (workdir / "config").mkdir(parents=True)
    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    config["data"].update(archive=str(path), md5=md5_of(path), sha256=None)
    config["experiments"] = experiments(scale)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))
    targets = ["results/tables/runs.tsv", "results/tables/dropout_vs_test_loss.tsv"]
    started, start = time.time(), time.perf_counter()
    with open(WORK / "workflow.log", "w") as out:
        subprocess.run(snakemake_command(ROOT, workdir, "--cores", str(cores), *targets),
                       check=True, stdout=out, stderr=subprocess.STDOUT)
    wall = time.perf_counter() - start
    trainings = costs.run_costs(workdir)
    costs.shown(trainings).round(3).to_csv(WORK / "costs.tsv", sep="\t", index=False)
    epochs = {model: [second for times in group["epoch_times"] for second in times]
              for model, group in trainings.groupby("model")}
    peaks = [pd.read_csv(b, sep="\t")["max_rss"].max()
             for b in (workdir / "benchmarks").rglob("*.tsv")]
    threads = ", ".join(str(count) for count in sorted(set(trainings["threads"])))
    return {"wall": wall, "epochs": epochs, "peak_mb": max(peaks), "threads": threads,
            "costs": trainings, "timeline": costs.timeline(trainings, started, started + wall),
            "chain": costs.chain_account(trainings, started)}


def cost_rows(workflow: dict, cores: int, lesson_wall: float | None) -> list[tuple]:
    """What the trainings paid besides their epochs (mean per training, bench/costs.py), when
    they ran, and the bound their epochs set: the busiest core's epochs, with no fixed cost."""
    trainings = workflow["costs"]
    rows = [(f"training_{part}_seconds_mean", round(trainings[part].mean(), 2))
            for part in (*costs.PARTS, "fixed")]
    rows += [(name, round(value, 1)) for name, value in workflow["timeline"].items()]
    rows += [(name, round(value, 1)) for name, value in workflow["chain"].items()]
    bound = costs.busiest_core(list(trainings["epoch_seconds"]), cores)
    rows += [("busiest_core_epoch_seconds", round(bound, 1)),
             # what stands between the run and that bound, whatever the epochs' speed today
             ("workflow_beyond_epoch_bound_s", round(workflow["wall"] - bound, 1))]
    if lesson_wall is not None:
        rows.append(("speedup_bound_of_epochs", round(lesson_wall / bound, 2)))
    return rows


def forward_flops(model: str) -> int:
    """Multiply-adds x 2 of one image through the model's Conv2D and Dense layers."""
    from cnn_lesson.models import build_model

    flops = 0
    for layer in build_model(model).layers:
        kind = type(layer).__name__
        if kind == "Conv2D":
            _, height, width, filters = layer.output.shape
            kernel_h, kernel_w, channels, _ = layer.kernel.shape
            flops += 2 * height * width * kernel_h * kernel_w * channels * filters
        elif kind == "Dense":
            inputs, outputs = layer.kernel.shape
            flops += 2 * inputs * outputs
    return flops


def epoch_flops(model: str) -> int:
    """Training (forward + backward, about 3x forward) on N_TRAIN and validation on N_TEST."""
    return forward_flops(model) * (3 * N_TRAIN + N_TEST)


def matmul_peak(threads: int) -> float:
    """GFLOP/s of numpy's float32 matrix product with `threads` threads: the reachable peak."""
    code = ("import numpy as np, time\n"
            "a = np.random.rand(2048, 2048).astype(np.float32); a @ a\n"
            "t = time.perf_counter(); [a @ a for _ in range(10)]\n"
            "print(10 * 2 * 2048**3 / (time.perf_counter() - t) / 1e9)")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENBLAS_")}
    env.update(OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return float(out.stdout.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    parser.add_argument("--epoch-scale", type=float, default=1.0,
                        help="fraction of the lesson's epochs to run (default: all)")
    parser.add_argument("--workflow-only", action="store_true",
                        help="time only the workflow, with its trainings' costs (no ratio)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    path = archive()
    work = experiments(args.epoch_scale)
    print(f"work: {sum(len(e['dropout']) for e in work)} trainings, "
          f"{sum(e['epochs'] * len(e['dropout']) for e in work)} epochs "
          f"(epoch scale {args.epoch_scale}) on {path}", flush=True)
    lesson = None if args.workflow_only else run_lesson(path, args.epoch_scale)
    workflow = run_workflow(path, args.epoch_scale, args.cores)
    rows = measures(lesson, workflow, work, args)
    print(costs.shown(workflow["costs"]).round(2).to_string(index=False))
    write_report(rows, WORK / "benchmark.tsv", lesson and lesson["wall"], workflow["wall"])


def measures(lesson: dict | None, workflow: dict, work: list[dict], args) -> list[tuple]:
    """The table's rows: the machine, the workflow's wall time, epochs, arithmetic rate and
    fixed costs, and with `lesson` the lesson's code's and the ratio of the two."""
    peak = matmul_peak(args.cores)
    found = cpu()
    flops = sum(epoch_flops(e["model"]) * e["epochs"] * len(e["dropout"]) for e in work)
    rows = [("machine", f"{platform.machine()}, {os.cpu_count()} cores"),
            ("cpu", found["cpu"]), ("cpu_isa", found["isa"]),
            ("epoch_scale", args.epoch_scale), ("cores", args.cores),
            ("workflow_seconds", round(workflow["wall"], 1)),
            ("workflow_threads_per_training", workflow["threads"]),
            ("workflow_peak_memory_mb_per_job", round(workflow["peak_mb"])),
            ("matmul_peak_gflops", round(peak, 1))]
    for model in ("base", "extra_layer"):
        workflow_epoch = statistics.median(workflow["epochs"][model])
        rows += [(f"gflop_per_epoch_{model}", round(epoch_flops(model) / 1e9, 1)),
                 (f"workflow_seconds_per_epoch_{model}", round(workflow_epoch, 2)),
                 (f"workflow_gflops_per_training_{model}",
                  round(epoch_flops(model) / workflow_epoch / 1e9, 1))]
    rows += rate_rows("workflow", flops / workflow["wall"], peak)
    if lesson:
        rows += lesson_rows(lesson, workflow["wall"], flops, peak)
    return rows + cost_rows(workflow, args.cores, lesson and lesson["wall"])


def lesson_rows(lesson: dict, workflow_wall: float, flops: int, peak: float) -> list[tuple]:
    """The lesson's code's wall time, the ratio, its memory, its epochs and arithmetic rate."""
    rows = [("lesson_seconds", round(lesson["wall"], 1)),
            ("speedup", round(lesson["wall"] / workflow_wall, 2)),
            ("lesson_peak_memory_mb", round(lesson["peak_mb"]))]
    for model in ("base", "extra_layer"):
        mine = [t for t in lesson["trainings"] if t["training"].startswith(model)]
        per_epoch = sum(t["seconds"] for t in mine) / sum(t["epochs"] for t in mine)
        rows += [(f"lesson_seconds_per_epoch_{model}", round(per_epoch, 2))]
    return rows + rate_rows("lesson", flops / lesson["wall"], peak)


def rate_rows(name: str, flop_per_second: float, peak: float) -> list[tuple]:
    """GFLOP/s over a whole run and its fraction of the matrix product's peak."""
    rate = flop_per_second / 1e9
    return [(f"{name}_gflops", round(rate, 1)), (f"{name}_fraction_of_peak", round(rate / peak, 3))]


def write_report(rows: list[tuple], path: Path, lesson: float | None, workflow: float) -> None:
    """The measures as a TSV table at `path`, printed, and the ratio of the two wall times."""
    table = pd.DataFrame(rows, columns=["measure", "value"])
    table.to_csv(path, sep="\t", index=False)
    print(table.to_string(index=False))
    if lesson:
        print(f"\nthe workflow is {lesson / workflow:.2f}x faster than the lesson's code "
              f"({lesson:.0f} s against {workflow:.0f} s)")


if __name__ == "__main__":
    main()
