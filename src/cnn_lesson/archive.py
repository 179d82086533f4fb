"""Read the CIFAR-10 python archive without executing it, and within the bounds of its format.

The archive is a gzip tar of pickled batches: five training batches and a test batch of 10,000
images each, and `batches.meta` with the class names. Whatever an archive holds, the reader
refuses it, naming the member, before it reads more than the format allows: a member larger than
a batch can be, a link or a device where a file belongs, more members than the format has; and
after unpickling (with numpy's array rebuilders as the only globals), anything but a batch of
uint8 images with one integer label each. So its memory stays near what the real archive needs.
"""

from __future__ import annotations

import io
import math
import pickle
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnn_lesson.errors import InputError
from cnn_lesson.files import hashes

FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = [f"{FOLDER}/data_batch_{i}" for i in range(1, 6)]
TEST_BATCH = f"{FOLDER}/test_batch"
META = f"{FOLDER}/batches.meta"
IMAGE_SHAPE = (32, 32, 3)
IMAGE_BYTES = math.prod(IMAGE_SHAPE)
N_CLASSES = 10
# The format's bounds. A batch holds 10,000 images (30.7 MB of pixels); pickled with their labels
# and file names by Python 2, as in the real archive, it is 31.0 MB, and by Python 3 at protocol 2
# (a copy re-pickled, or this package's synthetic archives) up to twice that, its bytes going
# through a UTF-8 string. The real archive has 9 entries: the folder, 7 batches, a readme.
IMAGES_PER_BATCH = 10_000
MAX_MEMBER_BYTES = 64 * 2**20
MAX_MEMBERS = 64
NOT_CIFAR = "this is not the CIFAR-10 python archive"


@dataclass
class Dataset:
    """Training subsample and test split: images (N, 32, 32, 3), integer labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]


@dataclass(frozen=True)
class TarArchive:
    """The CIFAR-10 python archive under resources/, fixed by its md5 and SHA-256 (the
    config's data.md5 and data.sha256)."""

    file: str
    image_shape: tuple[int, int, int] = IMAGE_SHAPE
    checksums_beside = False  # the config always pins them (the schema's defaults)
    classes = 10  # the format's: batches.meta names ten

    def checksums(self, data: dict) -> dict:
        """The checksums the config pins."""
        return {"md5": data["md5"], "sha256": data["sha256"]}

    def recipe(self, data: dict) -> str:
        """What the prepared data is made from, in words."""
        return f"the first {data['n_train']} training images of the archive with md5 {data['md5']}"

    def mismatch(self, path: Path, checksums: dict, shown=None, remedy=None) -> str | None:
        """How the archive at `path` differs from `checksums`, as 'has md5 X, not data.md5 Y',
        or None (the message that names it says what to do: `shown` and `remedy` are unused)."""
        wrong = checksum_mismatch(hashes(path, "md5", "sha256"), checksums["md5"],
                                  checksums["sha256"])
        return f"has {wrong[0]} {wrong[1]}, not data.{wrong[0]} {wrong[2]}" if wrong else None

    def read(self, path: Path, checksums: dict, n_train: int, shown=None,
             remedy=None) -> Dataset:
        """The first `n_train` training images and the test split, scaled (the checksums were
        checked by whoever hands the archive in; its refusals name `path`)."""
        return read_archive(path, n_train, scaled=True)


def checksum_mismatch(digests: dict[str, str], md5: str, sha256: str | None):
    """(name, found, expected) for the first checksum that differs, or None."""
    for name, expected in (("md5", md5), ("sha256", sha256)):
        if expected and digests[name] != expected.lower():
            return name, digests[name], expected
    return None


def _latin1_encode(text: str, encoding: str = "latin1") -> bytes:
    """What pickles of bytes made by Python 3 at protocol 2 call; nothing but latin-1 allowed."""
    if encoding.replace("-", "").lower() != "latin1":
        raise pickle.UnpicklingError(f"refused codec {encoding!r}")
    return text.encode("latin1")


def _numpy_reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


# The only globals a CIFAR-10 batch names: numpy's array rebuilders (and the bytes codec that
# Python 3 writes at protocol 2). Anything else, os.system say, is refused before it is looked up.
ALLOWED_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("_codecs", "encode"): lambda: _latin1_encode,
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in ALLOWED_GLOBALS:
            raise pickle.UnpicklingError(
                f"refused global {module}.{name}: a CIFAR-10 batch holds only numpy arrays, "
                f"lists and strings"
            )
        return ALLOWED_GLOBALS[module, name]()


def safe_unpickle(raw: bytes | io.BufferedIOBase) -> object:
    """Unpickle a CIFAR-10 batch (Python 2 pickles, bytes keys) allowing numpy's globals only."""
    stream = io.BytesIO(raw) if isinstance(raw, bytes) else raw
    return _SafeUnpickler(stream, encoding="bytes").load()


def read_archive(path: Path, n_train: int, scaled: bool = False) -> Dataset:
    """The first `n_train` training images, the whole test split and the class names: uint8, or
    with `scaled` float32 in [0, 1] (converted a batch at a time, so no uint8 copy is kept)."""
    try:
        with tarfile.open(path, "r:gz", tarinfo=_BoundedEntry) as opened:
            archive = _Members(opened, Path(path), _members_read(n_train))
            names = archive.class_names()
            x_train, y_train = archive.train(n_train, scaled)
            x_test, y_test = archive.split(TEST_BATCH, scaled)
    except _Refused as refused:
        raise InputError(f"{path}: {refused}; {NOT_CIFAR}.") from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise InputError(
            f"{path}: not a readable gzip tar archive ({error}); it is truncated or corrupted. "
            f"Delete it and run the workflow again to fetch a verified copy."
        ) from error
    return Dataset(x_train, y_train, x_test, y_test, names)


def scale(images: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """uint8 pixels to float32 in [0, 1], as the lesson's `/ 255.0` but in single precision."""
    return np.divide(images, np.float32(255), out=out, dtype=np.float32)


def as_images(rows: np.ndarray) -> np.ndarray:
    """Rows of 1024 red, 1024 green, 1024 blue values, each a 32x32 image in row order, as
    (N, 32, 32, 3) images: a view, no copy."""
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


class _Refused(Exception):
    """An entry the format does not allow, refused before its data is read."""


class _BoundedEntry(tarfile.TarInfo):
    """A tar entry whose data tarfile reads only within the format's bounds: it reads a long
    name's or a pax header's data whole, and a sparse file's maps block after block, while it
    lists the entries."""

    def _proc_member(self, archive):
        if self.type == tarfile.GNUTYPE_SPARSE:
            raise _Refused(f"member {self.name} is a sparse file")
        if self.size > MAX_MEMBER_BYTES:
            raise _Refused(
                f"member {self.name} is {self.size:,} bytes, more than a CIFAR-10 batch can be "
                f"({MAX_MEMBER_BYTES:,}: {IMAGES_PER_BATCH:,} images of {IMAGE_BYTES:,} bytes "
                f"with their labels, pickled)")
        return super()._proc_member(archive)


def _members_read(n_train: int) -> set[str]:
    """The members that hold the class names, the first `n_train` training images and the test
    split."""
    batches = max(1, math.ceil(n_train / IMAGES_PER_BATCH))
    return {META, TEST_BATCH, *TRAIN_BATCHES[:batches]}


class _Members:
    """The archive's entries, listed once within the format's bounds, and its batches read.

    The `wanted` members' data is read as the listing passes them: a gzip stream cannot seek
    back, and reading a member listed earlier decompresses the archive again from its start
    (`data.prepare` took 4.1 s, now 2.8 s, on a generated full-size archive; docs/benchmarks.md)."""

    def __init__(self, archive: tarfile.TarFile, path: Path, wanted: set[str] = frozenset()):
        self.archive, self.path = archive, path
        self.entries: dict[str, tarfile.TarInfo] = {}
        self.data: dict[str, bytes] = {}
        for count, entry in enumerate(iter(archive.next, None), start=1):
            if count > MAX_MEMBERS:
                raise _Refused(f"more than {MAX_MEMBERS} entries (CIFAR-10's has 9)")
            self.entries[entry.name] = entry  # the last of a name wins, as in `tar x`
            self.data.pop(entry.name, None)
            if entry.name in wanted and entry.isreg() and not entry.issparse():
                self.data[entry.name] = archive.extractfile(entry).read()

    def class_names(self) -> list[str]:
        names = self.unpickled(META).get(b"label_names")
        if not isinstance(names, list) or len(names) != N_CLASSES \
                or not all(isinstance(name, (bytes, str)) for name in names):
            raise InputError(f"{self.path}: member {META}: 'label_names' must be a list of "
                             f"{N_CLASSES} names; {NOT_CIFAR}.")
        return [name.decode("latin1") if isinstance(name, bytes) else name for name in names]

    def train(self, n_train: int, scaled: bool):
        """The first `n_train` images of the training batches, in order."""
        images, labels, have = _images(n_train, scaled), np.empty(n_train, np.int64), 0
        for member in TRAIN_BATCHES:
            if have == n_train:
                break
            rows, batch_labels = self.batch(member)
            take = min(len(rows), n_train - have)
            _convert(rows[:take], images[have:have + take], scaled)
            labels[have:have + take] = batch_labels[:take]
            have += take
        if have < n_train:
            raise InputError(
                f"{self.path}: data.n_train is {n_train} but the archive has only {have} "
                f"training images; lower data.n_train.")
        return images, labels

    def split(self, member: str, scaled: bool):
        """All images of one batch."""
        rows, labels = self.batch(member)
        images = _images(len(rows), scaled)
        _convert(rows, images, scaled)
        return images, labels

    def batch(self, member: str) -> tuple[np.ndarray, np.ndarray]:
        """A batch's image rows (N, 3072) uint8 and labels (N,) int64, checked against the
        format."""
        batch = self.unpickled(member)
        where = f"{self.path}: member {member}"
        rows = _image_rows(batch.get(b"data"), where)
        return rows, _labels(batch.get(b"labels"), len(rows), where)

    def unpickled(self, member: str) -> dict:
        entry = self._regular_file(member)
        try:
            batch = safe_unpickle(self.data.get(member) or self.archive.extractfile(entry))
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError,
                AttributeError, IndexError, MemoryError) as error:
            raise InputError(f"{self.path}: member {member} is not a CIFAR-10 batch: "
                             f"{type(error).__name__}: {error}.") from error
        if not isinstance(batch, dict):
            raise InputError(f"{self.path}: member {member} holds a {type(batch).__name__}, "
                             f"not a dict; {NOT_CIFAR}.")
        return batch

    def _regular_file(self, member: str) -> tarfile.TarInfo:
        entry = self.entries.get(member)
        if entry is None:
            raise InputError(f"{self.path}: member {member} is missing; {NOT_CIFAR}.")
        if not entry.isreg() or entry.issparse():
            raise InputError(f"{self.path}: member {member} is {_kind(entry)}, not a regular "
                             f"file; {NOT_CIFAR}.")
        return entry


def _kind(entry: tarfile.TarInfo) -> str:
    if entry.issym():
        return f"a symbolic link to {entry.linkname}"
    if entry.islnk():
        return f"a hard link to {entry.linkname}"
    if entry.isdir():
        return "a folder"
    return "a sparse file" if entry.issparse() else "a device or other special file"


def _image_rows(data: object, where: str) -> np.ndarray:
    if not isinstance(data, np.ndarray):
        raise InputError(f"{where}: 'data' is {_described(data)}, not a uint8 array of shape "
                         f"(N, {IMAGE_BYTES}).")
    if data.dtype != np.uint8:
        raise InputError(f"{where}: 'data' holds {data.dtype} values, not uint8 pixels "
                         f"(0..255); {NOT_CIFAR}.")
    if data.ndim != 2 or data.shape[1] != IMAGE_BYTES or len(data) > IMAGES_PER_BATCH:
        raise InputError(f"{where}: 'data' has shape {data.shape}, not (N, {IMAGE_BYTES}) with "
                         f"N at most {IMAGES_PER_BATCH:,} images.")
    return data


def _labels(labels: object, count: int, where: str) -> np.ndarray:
    """A batch's labels, one integer 0..9 per image, as CIFAR-10 pickles them (a list of int);
    checked before anything is converted, so a list of shared references costs nothing."""
    if isinstance(labels, np.ndarray) and labels.ndim == 1 \
            and np.issubdtype(labels.dtype, np.integer):
        values = labels
    elif isinstance(labels, list):
        wrong = next((label for label in labels if type(label) is not int), None)
        if wrong is not None:
            raise InputError(f"{where}: 'labels' holds {_described(wrong)}; each label is an "
                             f"integer 0..9.")
        values = labels
    else:
        raise InputError(f"{where}: 'labels' is {_described(labels)}, not a list of integers.")
    if len(values) != count:
        raise InputError(f"{where}: {len(values)} labels for {count} images.")
    if count == 0:
        return np.empty(0, np.int64)
    low, high = min(values), max(values)
    if low < 0 or high >= N_CLASSES:
        raise InputError(f"{where}: labels range {low}..{high}, expected 0..9.")
    return np.asarray(values, dtype=np.int64)


def _described(value: object) -> str:
    """What a value is, in a few words, however large it is."""
    kind = type(value).__name__
    if value is None:
        return "missing"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} array of shape {value.shape}"
    if isinstance(value, (list, tuple, dict, set)):
        return f"a {kind} of {len(value):,} items"
    if isinstance(value, (str, bytes)):
        return f"a {kind} ({value[:20]!r}{'...' if len(value) > 20 else ''})"
    if isinstance(value, float) or (isinstance(value, int) and value.bit_length() < 64):
        return f"a {kind} ({value!r})"
    return f"a {kind}"


def _images(count: int, scaled: bool) -> np.ndarray:
    """Room for `count` images: float32 if they are to be scaled, else uint8."""
    return np.empty((count, *IMAGE_SHAPE), np.float32 if scaled else np.uint8)


def _convert(rows: np.ndarray, out: np.ndarray, scaled: bool) -> None:
    """Write image rows into `out`, as images, scaled to [0, 1] if `out` is float32."""
    if scaled:
        scale(as_images(rows), out=out)
    else:
        out[...] = as_images(rows)
