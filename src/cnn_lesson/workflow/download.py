"""Fetch an edition's data from a URL or a local copy, verified against its checksums: the
CIFAR-10 archive against the config's md5 and SHA-256 (`fetch`), the Dollar Street 10 zip's
files against the config's md5 or, where it pins none, those the Zenodo record publishes
(`fetch_checked`)."""

from __future__ import annotations

import http.client
import json
import logging
import re
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

from cnn_lesson.errors import InputError
from cnn_lesson.files import hashes, write_atomically
from cnn_lesson.archive import checksum_mismatch

log = logging.getLogger(__name__)

CHUNK = 1 << 20
WHAT_TO_DO = (
    "Check data.url in the config (or set data.archive to a local copy of "
    "cifar-10-python.tar.gz, e.g. one downloaded by hand from that URL) and run again."
)


class TransientError(Exception):
    """A failure that another try may not have: a dropped connection, a server error."""


def fetch(source: str, dest: Path, md5: str, sha256: str | None = None,
          tries: int = 4, timeout: float = 60) -> None:
    """Copy or download `source` to `dest`, check its checksums, and leave no file on failure."""
    def fetch_to(partial: Path) -> None:
        if _is_url(source):
            _download_with_retries(source, partial, tries, timeout)
        else:
            _copy_local(source, partial)
        verify(partial, source, md5, sha256)

    write_atomically(dest, fetch_to)


def verify(path: Path, source: str, md5: str, sha256: str | None) -> None:
    """Raise InputError naming `source`, and the config key that applies, unless `path` has the
    expected checksums."""
    if _looks_like_html(path):
        raise InputError(
            f"{source} gave an HTML page ({path.stat().st_size:,} bytes), not the gzip archive: "
            f"the URL points at a web page, a login page or an error page. {WHAT_TO_DO}"
        )
    digests = hashes(path, "md5", "sha256")
    wrong = checksum_mismatch(digests, md5, sha256)
    if wrong:
        name, found, expected = wrong
        size = f"{path.stat().st_size:,} bytes"
        if _is_url(source):
            raise InputError(
                f"{source} gave {size} with {name} {found}, not data.{name} {expected}: the "
                f"download is truncated or corrupted, or the URL serves another file. Nothing "
                f"was kept. {WHAT_TO_DO} If data.url is a mirror whose file you trust, set "
                f"data.md5 and data.sha256 to its checksums."
            )
        raise InputError(
            f"{source} (data.archive, {size}) has {name} {found}, not data.{name} {expected}: "
            f"it is not the CIFAR-10 python archive the config names, or it is damaged. "
            f"Nothing was kept. Point data.archive at a good copy (or set it to null to "
            f"download from data.url); if this copy is the one you want, set data.md5 and "
            f"data.sha256 to its checksums."
        )
    log.info("verified %s: %s bytes, md5 %s", source, f"{path.stat().st_size:,}", digests["md5"])


def _is_url(source: str) -> bool:
    return source.split(":", 1)[0] in ("http", "https", "file")


def _looks_like_html(path: Path) -> bool:
    with open(path, "rb") as stream:
        start = stream.read(512).lstrip().lower()
    return start.startswith((b"<!doctype html", b"<html", b"<?xml", b"<head", b"<body"))


def _copy_local(source: str, partial: Path, name: str = "cifar-10-python.tar.gz") -> None:
    if not Path(source).is_file():
        raise InputError(
            f"data.archive: {source} does not exist or is not a file. Set data.archive to the "
            f"path of {name}, or to null to download it from data.url."
        )
    log.info("copying %s", source)
    shutil.copyfile(source, partial)


def fetch_checked(source: str, dest: Path, data, checksums: dict | None, record: str,
                  record_out: Path, tries: int = 4, timeout: float = 60) -> dict:
    """Copy or download `source` (a zip of `data`'s files) to `dest`, each file checked against
    `checksums`; where there are none, against the md5 that the `record`'s metadata publishes
    for each, taken first. Writes the checksums used, and where they came from, to `record_out`
    and returns that; leaves no file on failure."""
    origin = "data.md5 in the config"
    if checksums is None:
        checksums = published_md5(record, data.files, timeout)
        origin = f"the md5 published by {record} (not pinned in the config)"
        log.warning("data.md5 is null: taken the md5 that %s publishes for each file", record)

    shown, remedy = user_file(source)

    def fetch_to(partial: Path) -> None:
        if _is_url(source):
            _download_with_retries(source, partial, tries, timeout, (
                f"Check data.url in the config (or set data.archive to a local copy of the "
                f"record's zip of {', '.join(data.files)}) and run again."))
        else:
            _copy_local(source, partial, data.file)
        if _looks_like_html(partial):
            raise InputError(f"{shown} gave an HTML page, not the zip of "
                             f"{', '.join(data.files)}. Nothing was kept. {remedy}")
        wrong = data.mismatch(partial, checksums, shown, remedy)
        if wrong:
            raise InputError(f"{shown} {wrong}: it is damaged, or the record's files changed. "
                             f"Nothing was kept. {remedy} Or check data.md5.")
        # What the files hold, checked before anything is kept: a bad array is named now, not
        # by a training that fails on it
        data.read(partial, checksums, None, shown, remedy)
        log.info("verified %s: %s", source,
                 ", ".join(f"{name} md5 {md5}" for name, md5 in checksums.items()))

    write_atomically(dest, fetch_to)
    written = {"checksums": checksums, "from": origin}
    write_atomically(record_out, lambda path: Path(path).write_text(json.dumps(written, indent=2)))
    return written


def user_file(source: str) -> tuple[str, str]:
    """How a message names the file the user gave (`source`: data.archive's path, or the URL of
    data.url), and what to do about it where it is bad."""
    if _is_url(source):
        return (f"the download from {source} (data.url)",
                "Run again to download it anew, or check data.url (or set data.archive to a "
                "good local copy).")
    return (f"{source} (data.archive)",
            "Point data.archive at a good copy of the zip (or set it to null to download it "
            "from data.url), then run again.")


def pinning_lines(checksums: dict) -> str:
    """The config lines that pin `checksums` (file name -> md5) as data.md5."""
    lines = [f"    {name}: {md5}" for name, md5 in checksums.items()]
    return "\n".join(["data:", "  md5:", *lines])


# Zenodo's record metadata is a few kB; more than this is not a record.
MAX_RECORD_BYTES = 4 * 2**20


def published_md5(record: str, files: tuple[str, ...], timeout: float = 60) -> dict[str, str]:
    """The md5 a Zenodo record's metadata publishes for each of `files`: its `files` list
    holds each file's `key` and a `checksum` of the form 'md5:<32 hex digits>'."""
    what_to_do = (f"Pin the files' md5 in the config as data.md5 (from the record's page), or "
                  f"check data.record, and run again.")
    try:
        with urllib.request.urlopen(record, timeout=timeout) as response:
            text = response.read(MAX_RECORD_BYTES + 1)
        if len(text) > MAX_RECORD_BYTES:
            raise InputError(f"{record} answered with more than {MAX_RECORD_BYTES:,} bytes; "
                             f"that is not a record's metadata. {what_to_do}")
        listed = json.loads(text)["files"]
        published = {entry["key"]: entry["checksum"] for entry in listed}
    except urllib.error.HTTPError as error:
        raise InputError(f"{record} answered HTTP {error.code} {error.reason}. {what_to_do}") \
            from error
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise InputError(f"reading {record} failed ({getattr(error, 'reason', error)}). Check "
                         f"the network (compute nodes often have none: run the download on a "
                         f"login node). {what_to_do}") from error
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"{record}: not a Zenodo record's metadata (JSON with a `files` list "
                         f"of `key` and `checksum`): {type(error).__name__}: {error}. "
                         f"{what_to_do}") from error
    return {name: _md5_of(published, name, record, what_to_do) for name in files}


def _md5_of(published: dict, name: str, record: str, what_to_do: str) -> str:
    checksum = published.get(name)
    if not isinstance(checksum, str) or not re.fullmatch(r"md5:[0-9a-fA-F]{32}", checksum):
        raise InputError(f"{record} publishes {checksum!r} as the checksum of {name}, not "
                         f"'md5:' and 32 hex digits. {what_to_do}")
    return checksum.removeprefix("md5:").lower()


def _download_with_retries(url: str, partial: Path, tries: int, timeout: float,
                           what_to_do: str = WHAT_TO_DO) -> None:
    partial.unlink(missing_ok=True)
    for attempt in range(1, tries + 1):
        try:
            _download(url, partial, timeout, what_to_do)
            return
        except TransientError as error:
            if attempt == tries:
                raise InputError(
                    f"downloading {url} failed {tries} times, last with: {error}. Nothing was "
                    f"kept. Check the network (compute nodes often have none: run the download "
                    f"on a login node). {what_to_do}"
                ) from error
            log.warning("try %d of %d failed (%s); retrying", attempt, tries, error)
            time.sleep(min(2 ** attempt, 30) / 4)


def _download(url: str, partial: Path, timeout: float, what_to_do: str = WHAT_TO_DO) -> None:
    """One try: resume from the bytes already in `partial` where the server allows it."""
    have = partial.stat().st_size if partial.exists() else 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        # urllib verifies certificates by default; never switch that off.
        with urllib.request.urlopen(request, timeout=timeout) as response:
            resumed = response.status == 206
            if have and not resumed:
                log.info("server ignored the range request; starting over")
            _stream(response, partial, append=resumed, already=have if resumed else 0)
    except urllib.error.HTTPError as error:
        if error.code == 416 and have:
            return  # the part already holds the whole file; the checksum will tell
        message = f"HTTP {error.code} {error.reason}"
        if error.code >= 500 or error.code == 429:
            raise TransientError(message) from error
        raise InputError(f"{url} answered {message}. {what_to_do}") from error
    except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
        raise TransientError(str(getattr(error, "reason", error)) or repr(error)) from error


def _stream(response, partial: Path, append: bool, already: int) -> None:
    length = response.headers.get("Content-Length")
    total = already + int(length) if length else None
    received, next_report = already, 0.0
    with open(partial, "ab" if append else "wb") as out:
        while chunk := response.read(CHUNK):
            out.write(chunk)
            received += len(chunk)
            if total and received / total >= next_report:
                log.info("downloaded %s of %s bytes", f"{received:,}", f"{total:,}")
                next_report += 0.1
    if total is not None and received < total:
        raise TransientError(f"connection closed after {received:,} of {total:,} bytes")
