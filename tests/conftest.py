"""Fixtures: a tiny archive in the genuine CIFAR-10 format, a real HTTP server, and the tiny
workflow of each edition run once for the whole test session, shared by pytest-xdist's workers
(pyproject.toml runs two): the first to need one makes it, the others wait for it and read it."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cnn_lesson import synthetic
from helpers import (DOLLAR_STREET, DS_TEST, DS_TRAIN, N_TEST, PER_BATCH, Archive, configfile,
                     make_archive, serve, snakemake, tiny_config, tiny_dollar_street_config,
                     write_config)
from servers import Route, Server


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


def shared(tmp_path_factory, name: str, make: Callable[[Path], None]) -> Path:
    """The folder `name`, made once by `make` for every worker of this test session: the
    first worker to ask makes it under a lock, the others wait on the lock and find it done.
    Tests read it; a test that changes something works on a copy."""
    base = tmp_path_factory.getbasetemp()
    root = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    folder = root / name
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / f"{name}.done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (root / f"{name}.done").touch()
    return folder


@pytest.fixture(scope="session")
def finished(tmp_path_factory, tiny_archive):
    """A workdir in which the whole tiny workflow has run once, served over real HTTP."""
    def make(workdir: Path) -> None:
        server = Server()
        server.routes["/cifar-10-python.tar.gz"] = Route(tiny_archive.bytes)
        write_config(workdir, tiny_config(server.url("/cifar-10-python.tar.gz"), tiny_archive))
        try:
            result = snakemake(workdir)
        finally:
            server.close()
        # What the user saw on the terminal, for the tests of what it shows
        (workdir / "console.log").write_text(result.stdout + result.stderr)

    return shared(tmp_path_factory, "workflow", make)


@pytest.fixture(scope="session")
def dollar_street(tmp_path_factory, finished):
    """The finished tiny workflow's folder, in which the tiny Dollar Street 10 episode has then
    run, as documented (both editions side by side), with no md5 pinned, its zip and Zenodo
    record served over real HTTP."""
    def make(workdir: Path) -> None:
        shutil.copytree(finished, workdir, symlinks=True, dirs_exist_ok=True)
        server = Server()
        md5 = serve(server, synthetic.dollar_street_arrays(DS_TRAIN, DS_TEST))
        write_config(workdir, tiny_dollar_street_config(server.url("/files-archive"),
                                                        server.url("/record")), DOLLAR_STREET)
        try:
            result = snakemake(workdir, *configfile(workdir))
        finally:
            server.close()
        (workdir / "console.log").write_text(result.stdout + result.stderr)
        (workdir / "md5.json").write_text(json.dumps(md5))

    return shared(tmp_path_factory, "both editions", make)


# The slowest files first, so that no worker runs one alone at the end (xdist hands whole files
# out in this order: --no-loadscope-reorder); the tiny runs' fixtures are made by the first
# file that needs them. A file left out of the list runs after them, in its usual order. The
# Slurm and backend tests, skipped unless asked for (.ci/run asks), take minutes where they run.
SLOWEST_FIRST = ["workflow/test_slurm.py", "workflow/test_comparing_runs.py",
                 "workflow/test_dollar_street.py", "workflow/test_backends.py",
                 "workflow/test_reruns.py", "workflow/test_reliability.py",
                 "workflow/test_what_a_run_prints.py", "workflow/test_workflow.py",
                 "workflow/test_a_third_edition.py", "unit/test_training.py",
                 "workflow/test_first_contact.py"]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        path = item.nodeid.split("::")[0].removeprefix("tests/")
        return SLOWEST_FIRST.index(path) if path in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)
