"""The measuring tools in bench/ still run against the package (they are not run by the workflow)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cnn_lesson.workflow.machine import cpu

EPOCH = Path(__file__).resolve().parents[2] / "bench" / "epoch.py"


def epoch_lines(*args) -> list[dict]:
    done = subprocess.run([sys.executable, str(EPOCH), "--epochs", "2", "--images", "64", *args],
                          capture_output=True, text=True, check=True)
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_epoch_times_one_pinned_training():
    [line] = epoch_lines()
    assert line["cpus"] == [0] and line["threads"] == 1 and line["backend"] == "tensorflow"
    assert (line["cpu"], line["isa"]) == (cpu()["cpu"], cpu()["isa"])
    assert 0 < line["median_epoch_s"] <= line["first_epoch_s"]
    assert 0 < line["validation_pass_s"] and 0 < line["import_s"]


@pytest.mark.skipif(os.cpu_count() < 2, reason="needs two CPUs")
def test_epoch_side_by_side_pins_each_training_to_its_cpu():
    lines = epoch_lines("--side-by-side", "2")
    assert sorted(line["cpus"] for line in lines) == [[0], [1]]
    assert all(line["side_by_side"] == 2 for line in lines)


def test_epoch_refuses_more_threads_than_cpus():
    done = subprocess.run([sys.executable, str(EPOCH), "--threads", str(os.cpu_count() + 1)],
                          capture_output=True, text=True)
    assert done.returncode == 2 and "CPUs" in done.stderr
