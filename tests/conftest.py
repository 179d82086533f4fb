"""Shared fixtures: a tiny archive in the genuine CIFAR-10 format and a real HTTP server."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from cnn_lesson import synthetic
from servers import Route, Server

PER_BATCH, N_TEST = 60, 100
ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Archive:
    """A generated archive, its checksums and the objects its members pickle."""

    path: Path
    md5: str
    sha256: str
    members: dict

    @property
    def bytes(self) -> bytes:
        return self.path.read_bytes()


def make_archive(path: Path, members: dict, raw: dict | None = None) -> Archive:
    """Write `members` (and raw member bytes) as a CIFAR-10 archive at `path`."""
    synthetic.write_archive(path, members, raw)
    data = path.read_bytes()
    return Archive(path, hashlib.md5(data).hexdigest(), hashlib.sha256(data).hexdigest(), members)


@pytest.fixture(scope="session")
def tiny_archive(tmp_path_factory) -> Archive:
    """Five training batches of 60 images and a test batch of 100, all random."""
    members = synthetic.members(PER_BATCH, N_TEST)
    return make_archive(tmp_path_factory.mktemp("archive") / "cifar-10-python.tar.gz", members)


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1, closed after the test."""
    started = Server()
    yield started
    started.close()


@pytest.fixture
def served_archive(server, tiny_archive) -> str:
    """The URL at which the server answers with the tiny archive."""
    server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
    return server.url("/cifar-10-python.tar.gz")


def tiny_config(url, archive):
    """Two models, four rates, 1-2 epochs: the episode's shape on 200 images."""
    return {"data": {"url": url, "md5": archive.md5, "sha256": archive.sha256, "n_train": 200},
            "experiments": [
                {"model": "base", "dropout": [0], "epochs": 1, "figure": "04_training_history_1"},
                {"model": "extra_layer", "dropout": [0.25, 0.5], "epochs": 2,
                 "figure": "04_vary_dropout_rate"},
                {"model": "extra_layer", "dropout": [0.8], "epochs": 1,
                 "figure": "04_training_history_3"}],
            "seeds": [1]}


def write_config(workdir, config):
    (workdir / "config").mkdir(exist_ok=True)
    (workdir / "config" / "config.yaml").write_text(yaml.safe_dump(config))


def snakemake(workdir, *args, check=True, root=ROOT):
    """Run the workflow of `root` in `workdir`, as a user would from the command line. `root` is
    this repository, or a copy of it with its own package, as a clone in its own environment."""
    command = [sys.executable, "-m", "snakemake", "--snakefile", str(Path(root) / "Snakefile"),
               "--directory", str(workdir), "--cores", "2", *args]
    env = None if root == ROOT else {**os.environ, "PYTHONPATH": str(Path(root) / "src")}
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"snakemake failed:\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def finished(tmp_path_factory, tiny_archive):
    """A workdir in which the whole tiny workflow has run once, served over real HTTP."""
    server = Server()
    server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
    workdir = tmp_path_factory.mktemp("workflow")
    write_config(workdir, tiny_config(server.url("/cifar-10-python.tar.gz"), tiny_archive))
    try:
        result = snakemake(workdir)
    finally:
        server.close()
    # What the user saw on the terminal, for the tests of what it shows
    (workdir / "console.log").write_text(result.stdout + result.stderr)
    return workdir


def planned_jobs(workdir, *args, root=ROOT):
    """Rule name -> job count of a dry run."""
    out = snakemake(workdir, "--dry-run", "--quiet", "rules", *args, root=root).stdout
    counts = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit() and parts[0] != "total":
            counts[parts[0]] = int(parts[1])
    return counts
