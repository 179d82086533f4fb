"""The archive reader: genuine format in, checked arrays out, nothing executed from the pickles."""

import pickle

import numpy as np
import pytest

from cnn_lesson import data, synthetic
from cnn_lesson.errors import InputError
from helpers import N_TEST, PER_BATCH, make_archive


def images_of(batch):
    return batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def test_reads_the_first_n_images_across_batches(tiny_archive):
    n = 2 * PER_BATCH + 7
    raw = data.read_archive(tiny_archive.path, n)
    members = tiny_archive.members
    first, second, third = (members[name] for name in data.TRAIN_BATCHES[:3])
    expected = np.concatenate([images_of(first), images_of(second), images_of(third)[:7]])
    assert raw.x_train.shape == (n, 32, 32, 3) and raw.x_train.dtype == np.uint8
    np.testing.assert_array_equal(raw.x_train, expected)
    np.testing.assert_array_equal(raw.y_train[:PER_BATCH], first[b"labels"])
    assert raw.x_test.shape == (N_TEST, 32, 32, 3)
    assert raw.class_names[:2] == ["airplane", "automobile"] and len(raw.class_names) == 10


def test_channels_are_unpacked_as_keras_does(tmp_path):
    members = synthetic.members(10, 10)
    image = np.zeros((1, 32, 32, 3), np.uint8)
    image[0, 0, 1, 2] = 200  # blue, row 0, column 1
    members[data.TRAIN_BATCHES[0]] = synthetic.batch(image, np.array([3]), "one image")
    raw = data.read_archive(make_archive(tmp_path / "a.tar.gz", members).path, 1)
    np.testing.assert_array_equal(raw.x_train, image)
    assert members[data.TRAIN_BATCHES[0]][b"data"][0, 2 * 1024 + 1] == 200


def test_prepare_scales_to_float32_in_unit_range(tiny_archive):
    prepared = data.prepare(tiny_archive.path, 50)
    assert prepared.x_train.dtype == np.float32 and prepared.x_test.dtype == np.float32
    assert 0 <= prepared.x_train.min() and prepared.x_train.max() <= 1
    raw = data.read_archive(tiny_archive.path, 50)
    np.testing.assert_allclose(prepared.x_train, raw.x_train / 255.0, rtol=1e-6)


def test_save_and_load_round_trip(tiny_archive, tmp_path):
    prepared = data.prepare(tiny_archive.path, 30)
    data.save(prepared, tmp_path / "d.npz")
    loaded = data.load(tmp_path / "d.npz")
    np.testing.assert_array_equal(loaded.x_train, prepared.x_train)
    np.testing.assert_array_equal(loaded.y_test, prepared.y_test)
    assert loaded.class_names == prepared.class_names
    assert [p.name for p in tmp_path.iterdir()] == ["d.npz"]


def test_more_images_than_the_archive_has(tiny_archive):
    with pytest.raises(InputError, match="n_train is 301 but the archive has only 300"):
        data.read_archive(tiny_archive.path, 301)


def test_truncated_archive(tiny_archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(tiny_archive.bytes[: len(tiny_archive.bytes) // 2])
    with pytest.raises(InputError, match=f"{cut}: not a readable gzip tar archive"):
        data.read_archive(cut, 10)


class RunsCommand:
    """Pickles as a call of os.system: what a malicious batch would hold."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        import os

        return os.system, (self.command,)


def test_a_pickle_naming_os_system_is_refused_and_never_run(tiny_archive, tmp_path):
    marker = tmp_path / "executed"
    members = dict(tiny_archive.members)
    members[data.TRAIN_BATCHES[0]] = {b"data": RunsCommand(f"touch {marker}"), b"labels": []}
    archive = make_archive(tmp_path / "evil.tar.gz", members)
    with pytest.raises(InputError, match="refused global (posix|os).system"):
        data.read_archive(archive.path, 10)
    assert not marker.exists()


def test_only_latin1_is_allowed_through_the_codec_global():
    payload = pickle.dumps(b"abc", protocol=2).replace(b"latin1", b"rot_13")
    with pytest.raises(pickle.UnpicklingError, match="refused codec"):
        data.safe_unpickle(payload)


@pytest.mark.parametrize("member, content, message", [
    ("data_batch_1", None, "member cifar-10-batches-py/data_batch_1 is missing"),
    ("data_batch_1", {b"data": np.zeros((5, 3000), np.uint8), b"labels": [0] * 5},
     r"shape \(N, 3072\), not \(5, 3000\)"),
    ("data_batch_1", {b"data": np.zeros((5, 3072), np.float64), b"labels": [0] * 5},
     "must be a uint8 array"),
    ("data_batch_1", {b"data": np.zeros((5, 3072), np.uint8), b"labels": [0, 1, 2, 3, 10]},
     r"labels range 0..10, expected 0..9"),
    ("data_batch_1", {b"data": np.zeros((5, 3072), np.uint8), b"labels": [0, 1]},
     "2 labels for 5 images"),
    ("test_batch", [1, 2, 3], "holds a list, not a dict"),
])
def test_malformed_members_are_named(tiny_archive, tmp_path, member, content, message):
    members = dict(tiny_archive.members)
    name = f"{data.FOLDER}/{member}"
    if content is None:
        del members[name]
    else:
        members[name] = content
    archive = make_archive(tmp_path / "bad.tar.gz", members)
    with pytest.raises(InputError, match=message):
        data.read_archive(archive.path, 5)


def test_a_member_that_is_not_a_pickle(tiny_archive, tmp_path):
    members = dict(tiny_archive.members)
    del members[data.META]
    archive = make_archive(tmp_path / "bad.tar.gz", members, raw={data.META: b"not a pickle"})
    with pytest.raises(InputError, match="batches.meta is not a CIFAR-10 batch"):
        data.read_archive(archive.path, 5)


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
