"""The lesson's data: the archive's subsample and test split, scaled, stored as .npz, and read
back with its arrays checked."""

from __future__ import annotations

import logging
import zipfile
import zlib
from pathlib import Path

import numpy as np

from cnn_lesson.archive import IMAGE_SHAPE, Dataset, read_archive
from cnn_lesson.errors import InputError
from cnn_lesson.files import write_atomically

log = logging.getLogger(__name__)

ARRAYS = ("x_train", "y_train", "x_test", "y_test", "class_names")


def prepare(archive: Path, n_train: int) -> Dataset:
    """What the lesson feeds the models: the first `n_train` images and the test split, scaled."""
    dataset = read_archive(archive, n_train, scaled=True)
    log.info("read %d training and %d test images from %s", len(dataset.x_train),
             len(dataset.x_test), archive)
    return dataset


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
                f"(N, {', '.join(map(str, IMAGE_SHAPE))}) and N labels; rerun prepare_data."
            )
