"""A zip of .npy files, as Zenodo serves the Dollar Street 10 record, read as hostile.

The zip must hold exactly the files named, each checked against its md5 before it is used, its
.npy header read before its data, nothing unpickled (`allow_pickle` is never on): images
(N, height, width, 3) and labels (N,) of an integer dtype of any width, pixels 0-255, labels
within the classes, as many labels as images. A member is read whole into memory, never past the
size its zip entry declares (zipfile stops there and checks the CRC), and that size is bounded,
so a crafted zip costs at most MAX_FILE_BYTES per file.
"""

from __future__ import annotations

import hashlib
import io
import math
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnn_lesson.archive import Dataset, scale
from cnn_lesson.errors import InputError

# The real files are 10.8 MB of uint8 images for 878; int64 pixels would be 8 times that.
MAX_FILE_BYTES = 512 * 2**20


# What to do about a bad file in resources/ (the download, or a copy of data.archive, verified
# when it was fetched): fetch it again
FETCH_AGAIN = "Delete it and run again to fetch a verified copy."


@dataclass(frozen=True)
class NpyZip:
    """A zip of four .npy files: the training and test images and labels.

    Each reading method names the zip as `shown` (the user's file: data.archive, or the URL it
    was downloaded from; by default its path) and ends a refusal with `remedy`, the one that
    fits where the file came from."""

    file: str  # the zip's name under resources/
    train_images: str
    train_labels: str
    test_images: str
    test_labels: str
    image_shape: tuple[int, int, int]
    class_names: tuple[str, ...]
    # The download records the md5 it checked beside the zip: the config's, or where it pins
    # none, those the record publishes; prepare_data reads them there.
    checksums_beside = True

    @property
    def classes(self) -> int:
        return len(self.class_names)

    @property
    def files(self) -> tuple[str, ...]:
        return (self.train_images, self.train_labels, self.test_images, self.test_labels)

    def checksums(self, data: dict) -> dict | None:
        """The md5 of each file the config pins (data.md5), or None where it pins none."""
        return data.get("md5")

    def recipe(self, data: dict) -> str:
        """What the prepared data is made from, in words (the checksums are recorded beside it:
        pinning the published ones later changes nothing)."""
        n_train = data.get("n_train")
        first = f"the first {n_train}" if n_train else "all"
        return f"{first} training images of {', '.join(self.files)}, checked against their md5"

    def mismatch(self, path: Path, checksums: dict, shown=None,
                 remedy: str = FETCH_AGAIN) -> str | None:
        """How the zip at `path` differs from `checksums` (file name -> md5), as 'holds NAME
        with md5 X, not data.md5.NAME Y', or None."""
        return _mismatch(self.members(path, shown, remedy), checksums)

    def members(self, path: Path, shown=None, remedy: str = FETCH_AGAIN) -> dict[str, bytes]:
        """The four files' bytes, refusing a zip that holds another set of files, an encrypted
        one, or one larger than MAX_FILE_BYTES."""
        shown = shown or path
        try:
            with zipfile.ZipFile(path) as opened:
                return self._read_members(opened, shown, remedy)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise InputError(f"{shown}: not a readable zip ({error}); it is truncated or "
                             f"corrupted. {remedy}") from error

    def _read_members(self, opened: zipfile.ZipFile, shown, remedy: str) -> dict[str, bytes]:
        entries = [entry for entry in opened.infolist() if not entry.is_dir()]
        names = [entry.filename for entry in entries]
        missing = [name for name in self.files if name not in names]
        others = sorted(set(names) - set(self.files))
        if missing or others or len(names) != len(set(names)):
            raise InputError(
                f"{shown}: the zip holds {', '.join(names) or 'no file'}; it must hold exactly "
                f"{', '.join(self.files)}, each once: it is not the episode's zip of its data. "
                f"{remedy}")
        for entry in entries:
            if entry.flag_bits & 0x1:
                raise InputError(f"{shown}: {entry.filename} is encrypted, which the episode's "
                                 f"files never are; refused. {remedy}")
            if entry.file_size > MAX_FILE_BYTES:
                raise InputError(
                    f"{shown}: {entry.filename} unpacks to {entry.file_size:,} bytes, more than "
                    f"{MAX_FILE_BYTES:,}, which no file of this data set comes near; refused. "
                    f"{remedy}")
        return {entry.filename: opened.read(entry) for entry in entries}

    def read(self, path: Path, checksums: dict, n_train: int | None = None, shown=None,
             remedy: str = FETCH_AGAIN) -> Dataset:
        """The first `n_train` training images (all with None) and the test split, scaled to
        float32 in [0, 1], after each file is checked against `checksums`."""
        shown = shown or path
        members = self.members(path, shown, remedy)
        wrong = _mismatch(members, checksums)
        if wrong:
            raise InputError(
                f"{shown} {wrong}: it is not the file the checksums name (damaged, or another "
                f"version). {remedy} Or check data.md5.")
        arrays = {name: read_npy(payload, f"{shown}: {name}", remedy)
                  for name, payload in members.items()}
        x_train, y_train = self._split(arrays, self.train_images, self.train_labels, shown,
                                       remedy)
        x_test, y_test = self._split(arrays, self.test_images, self.test_labels, shown, remedy)
        if n_train is not None:
            if n_train > len(x_train):
                raise InputError(f"{shown}: data.n_train is {n_train} but {self.train_images} "
                                 f"holds {len(x_train)} images; lower data.n_train.")
            x_train, y_train = x_train[:n_train], y_train[:n_train]
        return Dataset(scale(x_train), y_train.astype(np.int64), scale(x_test),
                       y_test.astype(np.int64), list(self.class_names))

    def _split(self, arrays: dict, images: str, labels: str, shown, remedy: str):
        x, y = arrays[images], arrays[labels]
        where = f"{shown}: {images}"
        if x.ndim != 4 or x.shape[1:] != self.image_shape:
            raise InputError(f"{where} holds an array of shape {x.shape}; the episode's images "
                             f"are (N, {', '.join(map(str, self.image_shape))}). {remedy}")
        if len(x) == 0:
            raise InputError(f"{where} holds no image; the episode trains and tests on some. "
                             f"{remedy}")
        if y.ndim != 1 or len(y) != len(x):
            raise InputError(f"{shown}: {labels} holds an array of shape {y.shape} for "
                             f"{len(x)} images in {images}; it must be ({len(x)},), a label "
                             f"per image. {remedy}")
        if x.min() < 0 or x.max() > 255:
            raise InputError(f"{where}: pixel values range from {x.min()} to {x.max()}; the "
                             f"episode's are 0 to 255. {remedy}")
        classes = len(self.class_names)
        if y.min() < 0 or y.max() >= classes:
            raise InputError(f"{shown}: {labels}: labels range from {y.min()} to {y.max()}; "
                             f"the episode's are 0 to {classes - 1}. {remedy}")
        return x, y


def _mismatch(members: dict[str, bytes], checksums: dict) -> str | None:
    for name, payload in members.items():
        found, expected = hashlib.md5(payload).hexdigest(), checksums.get(name)
        if not isinstance(expected, str) or found != expected.lower():
            return f"holds {name} with md5 {found}, not data.md5.{name} {expected}"
    return None


def read_npy(payload: bytes, where: str, remedy: str = FETCH_AGAIN) -> np.ndarray:
    """An integer array from a .npy file's bytes: its header is read first, an object (pickle)
    or non-integer dtype is refused before any data is read, a size no file of this data set can
    have too (counted in Python's integers, which never overflow), and the data must be exactly
    as long as the header says."""
    stream = io.BytesIO(payload)
    try:
        version = np.lib.format.read_magic(stream)
        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                       else np.lib.format.read_array_header_2_0)
        shape, fortran, dtype = read_header(stream)
    except (ValueError, TypeError, SyntaxError) as error:
        raise InputError(f"{where}: not a .npy file ({error}). {remedy}") from None
    if dtype.hasobject:
        raise InputError(f"{where} holds Python objects (a pickle), which are never loaded; "
                         f"the episode's files hold integer arrays. {remedy}")
    if dtype.kind not in "iu":
        raise InputError(f"{where} holds {dtype} values; the episode's files hold integers "
                         f"(pixels 0-255, labels). {remedy}")
    expected = math.prod(int(side) for side in shape) * dtype.itemsize
    if expected > MAX_FILE_BYTES:
        raise InputError(f"{where}: its header declares {shape} {dtype}, {expected:,} bytes, "
                         f"more than {MAX_FILE_BYTES:,}, which no file of this data set comes "
                         f"near; refused. {remedy}")
    data = payload[stream.tell():]
    if len(data) != expected:
        raise InputError(f"{where}: its header says {shape} {dtype} ({expected:,} bytes) but "
                         f"{len(data):,} bytes follow; it is truncated or damaged. {remedy}")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
