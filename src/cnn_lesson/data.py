"""The lesson's data: the archive's subsample and test split, scaled, stored as .npz, and read
back with its arrays checked."""

from __future__ import annotations

import logging
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnn_lesson.archive import Dataset
from cnn_lesson.errors import InputError
from cnn_lesson.files import write_atomically

log = logging.getLogger(__name__)

ARRAYS = ("x_train", "y_train", "x_test", "y_test", "class_names")


def prepare(source, archive: Path, checksums: dict, n_train: int | None) -> Dataset:
    """What the lesson feeds the models: the first `n_train` images (all with None) and the test
    split, scaled, from `archive`, read as the edition's data `source` reads it."""
    dataset = source.read(archive, checksums, n_train)
    log.info("read %d training and %d test images from %s", len(dataset.x_train),
             len(dataset.x_test), archive)
    return dataset


def save(dataset: Dataset, path: Path) -> None:
    """Write the dataset as one uncompressed .npz, atomically (no half-written file on failure)."""
    write_atomically(path, lambda partial: np.savez(
        partial, x_train=dataset.x_train, y_train=dataset.y_train, x_test=dataset.x_test,
        y_test=dataset.y_test, class_names=np.array(dataset.class_names)))


def load(path: Path, image_shape: tuple[int, ...] | None = None) -> Dataset:
    """Read a dataset written by `save`, refusing pickled objects and checking its arrays: a
    stack of colour images (of `image_shape`, where given), a label each."""
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
    _check(dataset, path, image_shape)
    return dataset


def _check(dataset: Dataset, path: Path, image_shape: tuple[int, ...] | None) -> None:
    expected = ", ".join(map(str, image_shape or ("height", "width", 3)))
    for split in ("train", "test"):
        x, y = getattr(dataset, f"x_{split}"), getattr(dataset, f"y_{split}")
        shaped = x.shape[1:] == tuple(image_shape) if image_shape else x.shape[-1:] == (3,)
        if x.ndim != 4 or not shaped or len(y) != len(x):
            raise InputError(
                f"{path}: x_{split} has shape {x.shape} for {len(y)} labels, expected "
                f"(N, {expected}) and N labels; rerun prepare_data."
            )
