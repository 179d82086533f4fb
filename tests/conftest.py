"""Shared fixtures: a tiny archive in the genuine CIFAR-10 format and a real HTTP server."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from cnn_lesson import synthetic
from servers import Route, Server

PER_BATCH, N_TEST = 60, 100


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
