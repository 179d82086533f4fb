"""What the jobs that others read from wrote, recorded beside it, and checked before anything is
planned: a damaged file that finished results were made from stops the run, naming the command
that makes it again alone, instead of Snakemake rerunning those results on it (deleting them
first) and failing.

`prepare_data` writes `results/data/<edition>.json` beside the .npz (what it was made from, and the
file's size and SHA-256); `train` writes `checksums.json` beside its outputs. A file is hashed
again only where it was modified after its record was written, so an intact folder costs a
`stat` per file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from cnn_lesson import layout
from cnn_lesson.errors import InputError
from cnn_lesson.files import sha256
from cnn_lesson.workflow.command import Remedies

# What each training's record covers: every file of its folder but the record itself; a record
# written before timings.json was (2026-12-07) covers the others, which are checked all the same.
TRAINING_FILES = (layout.MODEL, layout.HISTORY, layout.SUMMARY, layout.PROVENANCE,
                  layout.TIMINGS)
ALWAYS_RECORDED = TRAINING_FILES[:4]
TRAINING_RECORD = layout.CHECKSUMS
SHA256 = re.compile(r"[0-9a-f]{64}")


def data_checksums(npz: Path, recipe: str, archive: dict | None = None,
                   origin: str = "the config") -> dict:
    """What prepare_data writes beside the .npz, after it: what it is made from, its
    fingerprint, and the checksums (`archive`: the edition's, e.g. md5 and sha256) it verified
    the archive against just before, and where they came from (the record's own time tells
    when all that was taken)."""
    record = {"recipe": recipe, "file": fingerprint(npz)}
    return {**record, "archive": archive, "checksums_from": origin} if archive else record


def archive_verified(archive: Path, record_path: Path, source, checksums: dict | None) -> bool:
    """Whether `archive` (of the edition's data `source`) is here with these checksums. Hashed
    only where the data record does not vouch for it: a record that names these checksums,
    written after the archive was last modified (prepare_data verified it then), costs a
    `stat`. Without checksums (none pinned, none recorded yet), it is not."""
    archive, record_path = Path(archive), Path(record_path)
    if not archive.is_file() or not checksums:
        return False
    try:
        written = json.loads(record_path.read_bytes())
        if (isinstance(written, dict) and written.get("archive") == checksums
                and archive.stat().st_mtime_ns <= record_path.stat().st_mtime_ns):
            return True
    except (OSError, ValueError):
        pass  # no readable record: hash it
    try:
        return source.mismatch(archive, checksums) is None
    except (InputError, OSError):
        return False


def recorded_checksums(path: Path) -> dict | None:
    """The checksums a download recorded beside the data it verified (download.fetch_checked
    writes them), or None where there is no readable record."""
    try:
        written = json.loads(Path(path).read_bytes())
    except (OSError, ValueError):
        return None
    found = written.get("checksums") if isinstance(written, dict) else None
    return found if isinstance(found, dict) and found else None


def check_recorded_checksums(path: Path, npz: Path, record_path: Path,
                             remedies: Remedies = Remedies()) -> None:
    """Refuse checksums recorded beside the data (`path`) that are not those the prepared .npz
    was checked against (its record), or are unreadable: prepare_data would run again on them,
    and every training after it. Nothing to check before the data is prepared."""
    path, npz, record_path = Path(path), Path(npz), Path(record_path)
    if not (npz.is_file() and record_path.is_file()):
        return
    try:
        made_with = json.loads(record_path.read_bytes()).get("archive")
    except (OSError, ValueError, AttributeError):
        return  # check_stored_data names an unreadable record
    found = recorded_checksums(path)
    if found == made_with:
        return
    problem = "is missing" if not path.exists() else (
        "is unreadable" if found is None else f"names other checksums than {npz} was made from")
    raise InputError(
        f"{path}, the checksums the download verified, {problem}: it was edited or replaced, or "
        f"the data was fetched again since. Nothing was run or deleted. To check and prepare "
        f"the data that is there again: {remedies.again(npz, npz, record_path)}; to fetch it "
        f"again too, delete {remedies.path(path)} and the data beside it first.")


def training_checksums(folder: Path) -> dict:
    """What train writes beside its outputs, after them: each one's fingerprint."""
    return {name: fingerprint(Path(folder) / name) for name in TRAINING_FILES}


class Unreadable(Exception):
    """A record that is not the JSON its writer writes."""


def read_checksums(path: Path, names: tuple[str, ...]) -> dict:
    """The record at `path`, a JSON object whose `names` are fingerprints; Unreadable if not."""
    try:
        record = json.loads(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise Unreadable(f"{type(error).__name__}: {error}") from None
    if not isinstance(record, dict):
        raise Unreadable(f"a JSON {type(record).__name__}, not an object")
    for name in names:
        if not _is_fingerprint(record.get(name)):
            raise Unreadable(f"no size and SHA-256 under {name!r}")
    return record


def _is_fingerprint(value) -> bool:
    return (isinstance(value, dict) and type(value.get("bytes")) is int and value["bytes"] >= 0
            and isinstance(value.get("sha256"), str) and bool(SHA256.fullmatch(value["sha256"])))


def check_stored_data(archive: Path, npz: Path, record_path: Path, recipe: str, source,
                      checksums: dict | None, remedies: Remedies = Remedies()) -> None:
    """Refuse an archive or prepared .npz that changed after prepare_data wrote its record
    (truncated, damaged, edited), and a .npz whose record is missing or unreadable, so cannot be
    checked: Snakemake would rerun every training on it, deleting their finished outputs first.
    Nothing to check where there is no .npz (prepare_data makes it when something needs it) or
    where the recipe changed (then prepare_data and the trainings rerun anyway)."""
    archive, npz, record_path = Path(archive), Path(npz), Path(record_path)
    if not npz.is_file():
        return
    again = Later(lambda: f"Nothing was run or deleted. Make both again, alone: "
                  f"{remedies.again(npz, npz, record_path)}, then run as before: the finished "
                  f"trainings are kept, as the same archive gives the same file.")
    try:
        written = read_checksums(record_path, ("file",))
    except Unreadable as error:
        problem = "is missing" if not record_path.exists() else f"is unreadable ({error})"
        raise InputError(f"{npz} cannot be checked: its record {record_path}, which "
                         f"prepare_data writes beside it, {problem}. {again}") from None
    if written.get("recipe") != recipe:
        return
    recorded_ns = record_path.stat().st_mtime_ns
    if checksums and archive.is_file() and archive.stat().st_mtime_ns > recorded_ns:
        check_archive(archive, source, checksums, (
            f"Nothing was run or deleted. Fetch it again, alone: {remedies.again(archive)}, "
            f"then run as before: nothing else reruns, as a verified copy is the same file."))
    _check_file(npz, written["file"], recorded_ns, "prepare_data", again)


def check_training(folder: Path, remedies: Remedies = Remedies()) -> None:
    """Refuse a training's output that changed after train wrote its record (a model.keras
    truncated, a history edited...), and a record that is unreadable: its evaluation, plots and
    tables would be made again from it, or fail on it, deleting what they had made. Nothing to
    check where there is no record: without it the training runs again anyway."""
    folder = Path(folder)
    record_path = folder / TRAINING_RECORD
    if not record_path.exists():
        return
    again = Later(lambda: f"Nothing was run or deleted. Train it again, alone: "
                  f"`{remedies.remove_folder(folder)} && "
                  f"{remedies.make(folder / layout.MODEL)}`, then run as before.")
    try:
        written = read_checksums(record_path, ALWAYS_RECORDED)
    except Unreadable as error:
        raise InputError(f"{folder}: its record {record_path}, which train writes beside its "
                         f"outputs, is unreadable ({error}), so they cannot be checked. "
                         f"{again}") from None
    recorded_ns = record_path.stat().st_mtime_ns
    for name in TRAINING_FILES:
        if (folder / name).exists() and (name in ALWAYS_RECORDED or name in written):
            _check_file(folder / name, written[name], recorded_ns, "train", again)


def _check_file(path: Path, expected: dict, recorded_ns: int, writer: str,
                what_to_do: str | Later) -> None:
    try:
        check_unchanged(path, expected, recorded_ns, writer, what_to_do)
    except OSError as error:
        raise InputError(f"{path} cannot be read ({error.strerror or error}). {what_to_do}") \
            from None


class Later:
    """Advice made only when a message prints it: the command it names costs a parse of the
    command line the user ran."""

    def __init__(self, make: Callable[[], str]):
        self.make = make

    def __str__(self) -> str:
        return self.make()


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


def check_archive(path: Path, source, checksums: dict,
                  what_to_do: str = "Delete it and run again to fetch a verified copy.") -> None:
    """Raise InputError unless the archive on disk still has the checksums it was fetched with
    (`source`, the edition's data, says how to check them)."""
    wrong = source.mismatch(path, checksums)
    if wrong:
        raise InputError(
            f"{path} {wrong}: it changed after it was downloaded and verified (truncated, "
            f"damaged or replaced). {what_to_do}"
        )
