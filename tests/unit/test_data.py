"""The prepared data: scaled as the lesson does, stored whole, loaded with its arrays checked."""

import numpy as np
import pytest

from cnn_lesson import archive, data
from cnn_lesson.archive import TarArchive
from cnn_lesson.errors import InputError

CIFAR10 = TarArchive("cifar-10-python.tar.gz")


def test_prepare_scales_to_float32_in_unit_range(tiny_archive):
    prepared = data.prepare(CIFAR10, tiny_archive.path, None, 50)
    assert prepared.x_train.dtype == np.float32 and prepared.x_test.dtype == np.float32
    assert 0 <= prepared.x_train.min() and prepared.x_train.max() <= 1
    raw = archive.read_archive(tiny_archive.path, 50)
    np.testing.assert_allclose(prepared.x_train, raw.x_train / 255.0, rtol=1e-6)


def test_save_and_load_round_trip(tiny_archive, tmp_path):
    prepared = data.prepare(CIFAR10, tiny_archive.path, None, 30)
    data.save(prepared, tmp_path / "d.npz")
    loaded = data.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(loaded.x_train, prepared.x_train)
    np.testing.assert_array_equal(loaded.y_test, prepared.y_test)
    assert loaded.class_names == prepared.class_names
    assert [p.name for p in tmp_path.iterdir()] == ["d.npz"]


def test_load_refuses_a_corrupt_npz(tmp_path):
    path = tmp_path / "cifar10.npz"
    path.write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(InputError, match=f"{path}: not a readable .npz.*rerun"):
        data.load(path)


def test_load_names_a_missing_npz(tmp_path):
    with pytest.raises(InputError, match=f"{tmp_path}/gone.npz does not exist"):
        data.load(tmp_path / "gone.npz")


def test_load_names_missing_arrays(tmp_path):
    path = tmp_path / "cifar10.npz"
    np.savez(path, x_train=np.zeros((1, 32, 32, 3), np.float32))
    with pytest.raises(InputError, match="arrays .*'y_train'.* are missing"):
        data.load(path)


def test_load_checks_shapes(tmp_path):
    path = tmp_path / "cifar10.npz"
    np.savez(path, x_train=np.zeros((2, 28, 28), np.float32), y_train=np.zeros(2),
             x_test=np.zeros((1, 32, 32, 3)), y_test=np.zeros(1), class_names=np.array(["a"]))
    with pytest.raises(InputError, match=r"x_train has shape \(2, 28, 28\)"):
        data.load(path)
