"""Files written whole or not at all, and a file's SHA-256 read a chunk at a time."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


CHUNK = 1 << 20


def write_atomically(path: Path, write) -> None:
    """Call `write(partial)` on a temporary name beside `path` (same suffix, so writers that add
    one keep it), then rename it to `path`: no half-written file is ever left under `path`."""
    path = Path(path)
    partial = path.with_name(f"{path.stem}.part{path.suffix}")
    try:
        write(partial)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def hashes(path: Path, *algorithms: str) -> dict[str, str]:
    """The hex digest of a file's bytes by each of `algorithms` (hashlib's names), read once, a
    chunk at a time."""
    found = {name: hashlib.new(name) for name in algorithms}
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            for digest in found.values():
                digest.update(chunk)
    return {name: digest.hexdigest() for name, digest in found.items()}


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    return hashes(path, "sha256")["sha256"]


def remove_empty_folders(root: Path) -> None:
    """Delete every empty folder under `root`, deepest first, and `root` if it ends up empty."""
    root = Path(root)
    if not root.is_dir():
        return
    for folder in sorted((path for path in root.rglob("*") if path.is_dir()), reverse=True):
        if not any(folder.iterdir()):
            folder.rmdir()
    if not any(root.iterdir()):
        root.rmdir()
