"""Fixtures: a tiny archive in the genuine CIFAR-10 format, a real HTTP server, and the tiny
workflow run once."""

from __future__ import annotations

import pytest

from cnn_lesson import synthetic
from helpers import N_TEST, PER_BATCH, Archive, make_archive, snakemake, tiny_config, write_config
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
