"""Read the CIFAR-10 archive without executing it, subsample and scale it, and store it as .npz."""

from __future__ import annotations

import io
import json
import logging
import pickle
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnn_lesson.download import check_archive
from cnn_lesson.errors import InputError
from cnn_lesson.files import check_unchanged, fingerprint, write_atomically

log = logging.getLogger(__name__)

FOLDER = "cifar-10-batches-py"
TRAIN_BATCHES = [f"{FOLDER}/data_batch_{i}" for i in range(1, 6)]
TEST_BATCH = f"{FOLDER}/test_batch"
META = f"{FOLDER}/batches.meta"
IMAGE_SHAPE = (32, 32, 3)
N_CLASSES = 10
ARRAYS = ("x_train", "y_train", "x_test", "y_test", "class_names")


@dataclass
class Dataset:
    """Training subsample and test split: images (N, 32, 32, 3), integer labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: list[str]


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


def safe_unpickle(raw: bytes) -> object:
    """Unpickle a CIFAR-10 batch (Python 2 pickles, bytes keys) allowing numpy's globals only."""
    return _SafeUnpickler(io.BytesIO(raw), encoding="bytes").load()


def read_archive(path: Path, n_train: int) -> Dataset:
    """The first `n_train` training images, the whole test split and the class names, as uint8."""
    try:
        with tarfile.open(path, "r:gz") as archive:
            names = [_decode(name) for name in _member(archive, path, META)[b"label_names"]]
            x_train, y_train = _read_train(archive, path, n_train)
            x_test, y_test = _read_batch(archive, path, TEST_BATCH)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise InputError(
            f"{path}: not a readable gzip tar archive ({error}); it is truncated or corrupted. "
            f"Delete it and run the workflow again to fetch a verified copy."
        ) from error
    if len(names) != N_CLASSES:
        raise InputError(f"{path}: {META} names {len(names)} classes, expected {N_CLASSES}.")
    return Dataset(x_train, y_train, x_test, y_test, names)


def _read_train(archive: tarfile.TarFile, path: Path, n_train: int):
    images, labels, have = [], [], 0
    for member in TRAIN_BATCHES:
        if have >= n_train:
            break
        x, y = _read_batch(archive, path, member)
        images.append(x[: n_train - have])
        labels.append(y[: n_train - have])
        have += len(images[-1])
    if have < n_train:
        raise InputError(
            f"{path}: data.n_train is {n_train} but the archive has only {have} training "
            f"images; lower data.n_train."
        )
    return np.concatenate(images), np.concatenate(labels)


def _read_batch(archive: tarfile.TarFile, path: Path, member: str):
    batch = _member(archive, path, member)
    data, labels = batch.get(b"data"), batch.get(b"labels")
    where = f"{path}: member {member}"
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != np.prod(IMAGE_SHAPE):
        shape = getattr(data, "shape", type(data).__name__)
        raise InputError(f"{where}: 'data' must be a uint8 array of shape (N, 3072), not {shape}.")
    labels = np.asarray(labels if labels is not None else [], dtype=np.int64)
    if labels.shape != (len(data),):
        raise InputError(f"{where}: {len(labels)} labels for {len(data)} images.")
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise InputError(f"{where}: labels range {labels.min()}..{labels.max()}, expected 0..9.")
    # Rows are 1024 red, 1024 green, 1024 blue values, each a 32x32 image in row order.
    return data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1), labels


def _member(archive: tarfile.TarFile, path: Path, member: str) -> dict:
    try:
        stream = archive.extractfile(member)
    except KeyError:
        raise InputError(
            f"{path}: member {member} is missing; this is not the CIFAR-10 python archive."
        ) from None
    if stream is None:
        raise InputError(f"{path}: member {member} is not a regular file.")
    try:
        batch = safe_unpickle(stream.read())
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError) as error:
        raise InputError(f"{path}: member {member} is not a CIFAR-10 batch: {error}.") from error
    if not isinstance(batch, dict):
        raise InputError(f"{path}: member {member} holds a {type(batch).__name__}, not a dict.")
    return batch


def _decode(name) -> str:
    return name.decode() if isinstance(name, bytes) else str(name)


def scale(images: np.ndarray) -> np.ndarray:
    """uint8 pixels to float32 in [0, 1], as the lesson's `/ 255.0` but in single precision."""
    return images.astype(np.float32) / np.float32(255)


def prepare(archive: Path, n_train: int) -> Dataset:
    """What the lesson feeds the models: the first `n_train` images and the test split, scaled."""
    raw = read_archive(archive, n_train)
    log.info("read %d training and %d test images from %s", len(raw.x_train), len(raw.x_test),
             archive)
    return Dataset(scale(raw.x_train), raw.y_train, scale(raw.x_test), raw.y_test,
                   raw.class_names)


def save(dataset: Dataset, path: Path) -> None:
    """Write the dataset as one uncompressed .npz, atomically (no half-written file on failure)."""
    write_atomically(path, lambda partial: np.savez(
        partial, x_train=dataset.x_train, y_train=dataset.y_train, x_test=dataset.x_test,
        y_test=dataset.y_test, class_names=np.array(dataset.class_names)))


def load(path: Path) -> Dataset:
    """Read a dataset written by `save`, refusing pickled objects and checking its arrays."""
    if not Path(path).is_file():
        raise InputError(f"{path} does not exist; run the workflow so that prepare_data "
                         f"writes it.")
    try:
        with np.load(path, allow_pickle=False) as stored:
            missing = [name for name in ARRAYS if name not in stored.files]
            if missing:
                raise InputError(f"{path}: arrays {missing} are missing; rerun prepare_data.")
            arrays = {name: stored[name] for name in ARRAYS}
    except (OSError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise InputError(
            f"{path}: not a readable .npz ({error}). Delete it and rerun the workflow so that "
            f"prepare_data writes it again."
        ) from error
    dataset = Dataset(**{**arrays, "class_names": [str(n) for n in arrays["class_names"]]})
    _check(dataset, path)
    return dataset


def _check(dataset: Dataset, path: Path) -> None:
    for split in ("train", "test"):
        x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        if x.ndim != 4 or x.shape[1:] != IMAGE_SHAPE or len(y) != len(x):
            raise InputError(
                f"{path}: x_{split} has shape {x.shape} for {len(y)} labels, expected "
                f"(N, 32, 32, 3) and N labels; rerun prepare_data."
            )


def record(path: Path, recipe: str) -> dict:
    """What prepare_data writes beside the .npz, after it: what it is made from, and its
    fingerprint (the record's own time tells when that was taken)."""
    return {"recipe": recipe, "file": fingerprint(path)}


def check_stored_data(archive: Path, npz: Path, record_path: Path, recipe: str, md5: str,
                      sha256: str | None) -> None:
    """Refuse an archive or prepared .npz that changed after prepare_data wrote its record
    (truncated, damaged, edited), before any job is planned: Snakemake would rerun every job
    that reads it, deleting their finished outputs first. Nothing to check where there is no
    record or the recipe changed: then prepare_data writes the data again anyway.

    Only a file modified after the record was written is read again, so this costs a `stat`.
    """
    archive, npz, record_path = Path(archive), Path(npz), Path(record_path)
    if not record_path.is_file():
        return
    written = json.loads(record_path.read_text())
    if written.get("recipe") != recipe:
        return
    recorded_ns = record_path.stat().st_mtime_ns
    if archive.is_file() and archive.stat().st_mtime_ns > recorded_ns:
        check_archive(archive, md5, sha256, (
            f"Nothing was run or deleted. Fetch it again, alone: {_alone(archive)}, then run as "
            f"before: nothing else reruns, as a verified copy is the same file."))
    if npz.is_file():
        check_unchanged(npz, written["file"], recorded_ns, "prepare_data", (
            f"Nothing was run or deleted. Make it again, alone: {_alone(npz, record_path)}, then "
            f"run as before: the finished trainings are kept, as the same archive gives the same "
            f"file."))


def _alone(target: Path, *also: Path) -> str:
    """The command that deletes `target` (and `also`) and makes it again, nothing else."""
    removed = " ".join(str(path) for path in (target, *also))
    return (f"`rm {removed} && snakemake --cores all {target}` (add the --configfile or "
            f"--directory you ran with)")
