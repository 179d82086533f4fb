"""Write archives in the genuine CIFAR-10 python format from random images, for tests and benchmarks."""

from __future__ import annotations

import gzip
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np

from cnn_lesson.archive import FOLDER, IMAGE_BYTES, IMAGE_SHAPE, META, TEST_BATCH, TRAIN_BATCHES

CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]


def batch(images: np.ndarray, labels: np.ndarray, label: str) -> dict:
    """A batch as CIFAR-10 pickles it: bytes keys, rows of 3072 uint8, labels as a list."""
    return {
        b"batch_label": label.encode(),
        b"labels": [int(y) for y in labels],
        b"data": np.ascontiguousarray(images.transpose(0, 3, 1, 2)).reshape(len(images), -1),
        b"filenames": [f"image_{i:05d}.png".encode() for i in range(len(images))],
    }


def random_images(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`n` images (N, 32, 32, 3) uint8 whose mean colour depends on the label, and the labels."""
    labels = rng.integers(0, 10, n)
    noise = rng.integers(0, 128, (n, *IMAGE_SHAPE))
    tint = (labels[:, None, None, None] * np.array([25, 11, 7]) % 128)
    return (noise + tint).astype(np.uint8), labels


def members(per_batch: int, n_test: int, seed: int = 0) -> dict[str, object]:
    """Every member of the archive as the object its pickle holds."""
    rng = np.random.default_rng(seed)
    content: dict[str, object] = {
        META: {b"num_cases_per_batch": per_batch,
               b"label_names": [name.encode() for name in CLASS_NAMES], b"num_vis": IMAGE_BYTES},
    }
    for i, member in enumerate(TRAIN_BATCHES, start=1):
        content[member] = batch(*random_images(per_batch, rng), f"training batch {i} of 5")
    content[TEST_BATCH] = batch(*random_images(n_test, rng), "testing batch 1 of 1")
    return content


def write_archive(path: Path, content: dict[str, object], raw: dict[str, bytes] | None = None,
                  ) -> Path:
    """Pickle each member at protocol 2 (as the original) into a .tar.gz; `raw` adds bytes as-is."""
    payloads = {name: pickle.dumps(obj, protocol=2) for name, obj in content.items()}
    payloads.update(raw or {})
    # A fixed gzip time stamp, so the same content gives the same bytes and checksums.
    with gzip.GzipFile(path, "wb", mtime=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w") as archive:
        _add(archive, f"{FOLDER}/readme.html", b"<html>synthetic CIFAR-10</html>")
        for name, payload in payloads.items():
            _add(archive, name, payload)
    return Path(path)


def _add(archive: tarfile.TarFile, name: str, payload: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    info.mtime = 1234567890
    archive.addfile(info, io.BytesIO(payload))
