"""Write data in each edition's genuine format from random images, for tests and benchmarks: the
CIFAR-10 python archive, and the Dollar Street 10 zip of .npy files with its Zenodo record."""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
import zipfile
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


# ---------------------------------------------------------------- Dollar Street 10, its format

DOLLAR_STREET_SHAPE = (64, 64, 3)


def dollar_street_arrays(n_train: int, n_test: int, seed: int = 0,
                         dtype=np.int32) -> dict[str, np.ndarray]:
    """The four arrays of the Dollar Street 10 files-archive, random (images whose mean colour
    depends on the label), of an integer `dtype` (the lesson's preparation wrote int32)."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, count in (("train", n_train), ("test", n_test)):
        labels = rng.integers(0, 10, count)
        noise = rng.integers(0, 128, (count, *DOLLAR_STREET_SHAPE))
        tint = labels[:, None, None, None] * np.array([25, 11, 7]) % 128
        arrays[f"{split}_images.npy"] = (noise + tint).astype(dtype)
        arrays[f"{split}_labels.npy"] = labels.astype(dtype)
    return arrays


def npy_bytes(array: np.ndarray, allow_pickle: bool = False) -> bytes:
    """An array as the bytes of a .npy file."""
    stream = io.BytesIO()
    np.save(stream, array, allow_pickle=allow_pickle)
    return stream.getvalue()


def write_npy_zip(path: Path, members: dict[str, np.ndarray | bytes]) -> dict[str, str]:
    """A zip of .npy files as Zenodo's files-archive holds them (arrays saved, bytes as they
    are); returns each file's md5."""
    payloads = {name: npy_bytes(value) if isinstance(value, np.ndarray) else value
                for name, value in members.items()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in payloads.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(2024, 4, 15, 0, 0, 0)), payload)
    return {name: hashlib.md5(payload).hexdigest() for name, payload in payloads.items()}


def zenodo_record(md5: dict[str, str], record: int = 10970014) -> dict:
    """A Zenodo record's metadata as its API serves it: a `files` list with each file's `key`
    and `checksum` ('md5:...'), and what else a record holds around them."""
    return {"id": record, "metadata": {"title": "Dollar Street 10 (synthetic)"},
            "files": [{"key": name, "size": 0, "checksum": f"md5:{digest}",
                       "links": {"self": f"https://zenodo.org/api/records/{record}/files/{name}"
                                 f"/content"}} for name, digest in md5.items()]}
