"""The Dollar Street 10 zip read as hostile: every file checked against its md5, its .npy header
read before its data, nothing unpickled, and each bad variant stopped naming the file
(cnn_lesson.npy_zip); generated cases where the input has structure."""

import hashlib
import io
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnn_lesson import npy_zip, synthetic
from cnn_lesson.edition import load
from cnn_lesson.errors import InputError

DATA = load("dollar_street_10").DATA
FILES = DATA.files


def written(path, members) -> dict:
    """The zip of `members` at `path`, and the md5 of each of them."""
    return synthetic.write_npy_zip(path, members)


@pytest.fixture
def arrays():
    return synthetic.dollar_street_arrays(12, 6)


def test_the_four_files_are_read_checked_and_scaled(tmp_path, arrays):
    md5 = written(tmp_path / "ds.zip", arrays)
    dataset = DATA.read(tmp_path / "ds.zip", md5)
    assert dataset.x_train.shape == (12, 64, 64, 3) and dataset.x_train.dtype == np.float32
    np.testing.assert_array_equal(dataset.x_train * 255, arrays["train_images.npy"])
    np.testing.assert_array_equal(dataset.y_test, arrays["test_labels.npy"])
    assert dataset.class_names[9] == "washing machine"
    assert len(DATA.read(tmp_path / "ds.zip", md5, n_train=5).x_train) == 5
    assert DATA.mismatch(tmp_path / "ds.zip", md5) is None


@pytest.mark.parametrize("dtype", [np.uint8, np.int16, np.int32, np.int64, np.uint32])
def test_any_integer_width_is_read_as_the_same_images(tmp_path, arrays, dtype):
    md5 = written(tmp_path / "ds.zip", {name: a.astype(dtype) for name, a in arrays.items()})
    dataset = DATA.read(tmp_path / "ds.zip", md5)
    np.testing.assert_array_equal(dataset.x_test * 255, arrays["test_images.npy"])


def refused(path, md5, *fragments):
    """Reading `path` stops naming the zip and each of `fragments`."""
    with pytest.raises(InputError) as error:
        DATA.read(path, md5)
    message = str(error.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_a_wrong_md5_names_the_file_and_the_key(tmp_path, arrays):
    md5 = written(tmp_path / "ds.zip", arrays)
    wrong = {**md5, "test_labels.npy": "0" * 32}
    refused(tmp_path / "ds.zip", wrong, "test_labels.npy with md5", "data.md5.test_labels.npy")


@pytest.mark.parametrize("change, fragment", [
    (lambda a: a.astype(np.float32), "holds float32 values"),
    (lambda a: a.astype(object), "Python objects (a pickle)"),
    (lambda a: a[:, :32], "shape (12, 32, 64, 3)"),
    (lambda a: a + 100, "pixel values range from"),
])
def test_bad_images_are_refused_naming_the_file(tmp_path, arrays, change, fragment):
    members = {**arrays, "train_images.npy": change(arrays["train_images.npy"])}
    if members["train_images.npy"].dtype == object:
        members["train_images.npy"] = synthetic.npy_bytes(members["train_images.npy"],
                                                         allow_pickle=True)
    md5 = written(tmp_path / "ds.zip", members)
    refused(tmp_path / "ds.zip", md5, "train_images.npy", fragment)


def test_a_pickle_bearing_npy_is_never_unpickled(tmp_path, arrays):
    """An object array whose pickle would run code when loaded: refused from its header."""
    class Boom:
        def __reduce__(self):
            return (open, (str(tmp_path / "pwned"), "w"))

    evil = np.empty(1, dtype=object)
    evil[0] = Boom()
    members = {**arrays, "test_labels.npy": synthetic.npy_bytes(evil, allow_pickle=True)}
    md5 = written(tmp_path / "ds.zip", members)
    refused(tmp_path / "ds.zip", md5, "test_labels.npy", "never loaded")
    assert not (tmp_path / "pwned").exists()
    assert b"pwned" in pickle.dumps(evil[0])  # the pickle does hold the call


@pytest.mark.parametrize("labels, fragment", [
    (lambda y: y[:-1], "for 12 images"),
    (lambda y: y + 5, "labels range from"),
    (lambda y: y - 10, "labels range from"),
    (lambda y: y.reshape(3, 4), "shape (3, 4)"),
])
def test_bad_labels_are_refused_naming_the_file(tmp_path, arrays, labels, fragment):
    members = {**arrays, "train_labels.npy": labels(arrays["train_labels.npy"])}
    md5 = written(tmp_path / "ds.zip", members)
    refused(tmp_path / "ds.zip", md5, "train_labels.npy", fragment)


@pytest.mark.parametrize("members, fragment", [
    (lambda m: {k: v for k, v in m.items() if k != "test_images.npy"}, "must hold exactly"),
    (lambda m: {**m, "readme.txt": b"hello"}, "readme.txt"),
    (lambda m: {f"dataset/{k}": v for k, v in m.items()}, "must hold exactly"),
])
def test_a_zip_missing_a_file_or_holding_others_is_refused(tmp_path, arrays, members, fragment):
    md5 = written(tmp_path / "ds.zip", members(arrays))
    md5 = {name: md5.get(name, "0" * 32) for name in FILES}
    refused(tmp_path / "ds.zip", md5, fragment, "train_images.npy, train_labels.npy")


def test_a_truncated_npy_is_refused_naming_it(tmp_path, arrays):
    payload = synthetic.npy_bytes(arrays["test_images.npy"])[:-100]
    md5 = written(tmp_path / "ds.zip", {**arrays, "test_images.npy": payload})
    refused(tmp_path / "ds.zip", md5, "test_images.npy", "truncated or damaged")


def test_a_truncated_or_foreign_zip_is_refused(tmp_path, arrays):
    md5 = written(tmp_path / "ds.zip", arrays)
    data = (tmp_path / "ds.zip").read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    refused(tmp_path / "cut.zip", md5, "not a readable zip")
    (tmp_path / "page.zip").write_bytes(b"<html>not found</html>")
    refused(tmp_path / "page.zip", md5, "not a readable zip")


def test_a_member_declaring_more_than_the_bound_is_refused_before_it_is_read(tmp_path, arrays,
                                                                              monkeypatch):
    import cnn_lesson.npy_zip as npy_zip

    md5 = written(tmp_path / "ds.zip", arrays)
    monkeypatch.setattr(npy_zip, "MAX_FILE_BYTES", 1000)  # the real bound is 512 MiB
    refused(tmp_path / "ds.zip", md5, "unpacks to", "refused")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=st.binary(max_size=400), name=st.sampled_from(FILES))
def test_any_bytes_in_place_of_a_file_stop_with_its_name(tmp_path_factory, payload, name):
    """Whatever a file holds (a header cut short, garbage, an empty file), reading stops with an
    InputError that names it, never another exception."""
    folder = tmp_path_factory.mktemp("zip")
    members = {**synthetic.dollar_street_arrays(3, 2), name: payload}
    md5 = written(folder / "ds.zip", members)
    with pytest.raises(InputError, match=name.replace(".", r"\.")):
        DATA.read(folder / "ds.zip", md5)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shape=st.lists(st.integers(0, 5), min_size=0, max_size=5),
       dtype=st.sampled_from(["<i4", "<f8", "|b1", "<U3", "<c8", "|u1"]))
def test_any_array_of_another_shape_or_kind_is_refused_by_name(tmp_path_factory, shape, dtype):
    folder = tmp_path_factory.mktemp("zip")
    array = np.zeros(shape, dtype=dtype)
    members = {**synthetic.dollar_street_arrays(4, 2), "train_images.npy": array}
    md5 = written(folder / "ds.zip", members)
    if tuple(shape[1:]) == (64, 64, 3) and dtype in ("<i4", "|u1"):
        return  # a well-formed (if odd) image array: not this test's case
    with pytest.raises(InputError, match=r"train_images\.npy"):
        DATA.read(folder / "ds.zip", md5)


def test_the_zip_is_checked_by_its_files_not_its_bytes(tmp_path, arrays):
    """Zenodo assembles the zip on request: the same files in another zip (other compression,
    order, dates) pass the same md5."""
    md5 = written(tmp_path / "a.zip", arrays)
    with zipfile.ZipFile(tmp_path / "b.zip", "w", zipfile.ZIP_STORED) as other:
        for name in reversed(FILES):
            other.writestr(name, synthetic.npy_bytes(arrays[name]))
    assert hashlib.md5((tmp_path / "a.zip").read_bytes()).digest() != \
        hashlib.md5((tmp_path / "b.zip").read_bytes()).digest()
    assert DATA.mismatch(tmp_path / "b.zip", md5) is None


@pytest.mark.parametrize("checksums", [{}, {name: 5 for name in FILES}, {"other.npy": "0" * 32}])
def test_checksums_that_name_no_md5_for_a_file_are_a_mismatch_not_a_crash(tmp_path, arrays,
                                                                           checksums):
    """A record beside the zip edited or written by something else: every file must have an
    md5, or the zip does not verify."""
    written(tmp_path / "ds.zip", arrays)
    assert "holds train_images.npy with md5" in DATA.mismatch(tmp_path / "ds.zip", checksums)


@pytest.mark.parametrize("split", ["train", "test"])
def test_a_split_of_no_image_is_refused_before_any_training(tmp_path, arrays, split):
    """Accepted, it would fail deep in the first training (a memoryview of zeros)."""
    empty = {**arrays, f"{split}_images.npy": arrays[f"{split}_images.npy"][:0],
             f"{split}_labels.npy": arrays[f"{split}_labels.npy"][:0]}
    md5 = written(tmp_path / "ds.zip", empty)
    refused(tmp_path / "ds.zip", md5, f"{split}_images.npy holds no image")


@given(sides=st.lists(st.integers(2**16, 2**40), min_size=2, max_size=5))
def test_a_header_whose_size_cannot_be_held_is_refused_by_name(sides):
    """Shapes whose byte count overflows 64 bits (0 in numpy's int64 product) or passes any
    file's bound are refused naming the member, before any reshape."""
    header = {"descr": "<i8", "fortran_order": False, "shape": tuple(sides)}
    stream = io.BytesIO()
    np.lib.format.write_array_header_1_0(stream, header)
    with pytest.raises(InputError, match="its header declares .* more than .* refused"):
        npy_zip.read_npy(stream.getvalue(), "ds.zip: train_images.npy")


def test_an_encrypted_member_is_refused_naming_the_zip_and_the_member(tmp_path, arrays):
    md5 = written(tmp_path / "ds.zip", arrays)
    content = bytearray((tmp_path / "ds.zip").read_bytes())
    with zipfile.ZipFile(tmp_path / "ds.zip") as opened:
        entry = opened.getinfo("test_images.npy")
    # the "encrypted" bit of the member's flags, in its local header and its central entry
    content[entry.header_offset + 6] |= 0x1
    start = 0
    while (found := content.find(b"PK\x01\x02", start)) >= 0:
        name_length = int.from_bytes(content[found + 28:found + 30], "little")
        if content[found + 46:found + 46 + name_length] == b"test_images.npy":
            content[found + 8] |= 0x1
        start = found + 4
    (tmp_path / "ds.zip").write_bytes(bytes(content))
    refused(tmp_path / "ds.zip", md5, "test_images.npy is encrypted")


def test_the_users_file_and_the_remedy_that_fits_it_are_named(tmp_path, arrays):
    """Read where it was given (data.archive): named as given, with what to do about it there,
    never as the temporary copy it is read from."""
    (tmp_path / "ds.zip").write_bytes(b"not a zip at all")
    with pytest.raises(InputError) as error:
        DATA.mismatch(tmp_path / "ds.zip", {}, "my/ds.zip (data.archive)", "Point data.archive "
                      "at a good copy.")
    assert str(error.value).startswith("my/ds.zip (data.archive): not a readable zip")
    assert str(tmp_path) not in str(error.value)
    assert str(error.value).endswith("Point data.archive at a good copy.")
