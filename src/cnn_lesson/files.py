"""Files written whole or not at all, and checked later against the fingerprint taken then."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cnn_lesson.errors import InputError

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


def sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a chunk at a time."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def fingerprint(path: Path) -> dict:
    """What a file's content is: its size and SHA-256 (no time, so equal files, equal records)."""
    return {"bytes": Path(path).stat().st_size, "sha256": sha256(path)}


def difference(path: Path, expected: dict, recorded_ns: int) -> str | None:
    """How `path` differs from its `fingerprint` recorded at `recorded_ns`, or None if it does not.

    The size is compared first; the content is read again only where the file was modified
    after the fingerprint was recorded (a copy, a `touch`, an edit), so an untouched file costs
    one `stat`.
    """
    stat = Path(path).stat()
    if stat.st_size != expected["bytes"]:
        return f"{stat.st_size:,} bytes, {expected['bytes']:,} when it was written"
    if stat.st_mtime_ns <= recorded_ns or sha256(path) == expected["sha256"]:
        return None
    return "its content differs from when it was written"


def check_unchanged(path: Path, expected: dict, recorded_ns: int, writer: str,
                    what_to_do: str) -> None:
    """Raise InputError naming `path` and saying `what_to_do` if it is not the file `writer`
    wrote."""
    changed = difference(path, expected, recorded_ns)
    if changed:
        raise InputError(f"{path} is not the file {writer} wrote ({changed}): it was truncated, "
                         f"damaged or changed by hand. {what_to_do}")


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
