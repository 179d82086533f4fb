"""The archive reader: the genuine format in, checked arrays out; nothing executed from the
pickles, nothing read past what the format allows, every refusal naming the member."""

import gzip
import io
import pickle
import tarfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnn_lesson import archive, synthetic
from cnn_lesson.errors import InputError
from helpers import N_TEST, PER_BATCH, make_archive

FIRST = archive.TRAIN_BATCHES[0]


def images_of(batch):
    return batch[b"data"].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def with_member(tiny_archive, tmp_path, name, content):
    """The tiny archive with member `name` holding `content` (None: without it)."""
    members = dict(tiny_archive.members)
    members.pop(name)
    if content is not None:
        members[name] = content
    return write_tar(tmp_path / "changed.tar.gz", member_entries(members))


def write_tar(path, entries):
    """A .tar.gz of `entries`: (TarInfo, bytes or None), written as they are, in gzip's stored
    blocks (a gzip stream as any other to the reader, written ten times faster)."""
    with gzip.GzipFile(path, "wb", mtime=0, compresslevel=0) as zipped, \
            tarfile.open(fileobj=zipped, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for info, payload in entries:
            tar.addfile(info, io.BytesIO(payload) if payload is not None else None)
    return path


def member_entries(members):
    """The entries of an archive holding `members` (name -> object), pickled as CIFAR-10's."""
    entries = []
    for name, content in members.items():
        payload = pickle.dumps(content, protocol=2)
        info = tarfile.TarInfo(name)
        info.size = len(payload)
        entries.append((info, payload))
    return entries


def test_reads_the_first_n_images_across_batches(tiny_archive):
    n = 2 * PER_BATCH + 7
    raw = archive.read_archive(tiny_archive.path, n)
    members = tiny_archive.members
    first, second, third = (members[name] for name in archive.TRAIN_BATCHES[:3])
    expected = np.concatenate([images_of(first), images_of(second), images_of(third)[:7]])
    assert raw.x_train.shape == (n, 32, 32, 3) and raw.x_train.dtype == np.uint8
    np.testing.assert_array_equal(raw.x_train, expected)
    np.testing.assert_array_equal(raw.y_train[:PER_BATCH], first[b"labels"])
    assert raw.x_test.shape == (N_TEST, 32, 32, 3)
    assert raw.class_names[:2] == ["airplane", "automobile"] and len(raw.class_names) == 10


def test_scaled_reading_gives_the_lessons_division_bit_for_bit(tiny_archive):
    raw = archive.read_archive(tiny_archive.path, 150)
    scaled = archive.read_archive(tiny_archive.path, 150, scaled=True)
    assert scaled.x_train.dtype == np.float32
    for split in ("x_train", "x_test"):
        lesson_way = getattr(raw, split).astype(np.float32) / np.float32(255)
        assert getattr(scaled, split).tobytes() == lesson_way.tobytes()
    np.testing.assert_array_equal(scaled.y_train, raw.y_train)


def test_channels_are_unpacked_as_keras_does(tmp_path):
    members = synthetic.members(10, 10)
    image = np.zeros((1, 32, 32, 3), np.uint8)
    image[0, 0, 1, 2] = 200  # blue, row 0, column 1
    members[FIRST] = synthetic.batch(image, np.array([3]), "one image")
    raw = archive.read_archive(make_archive(tmp_path / "a.tar.gz", members).path, 1)
    np.testing.assert_array_equal(raw.x_train, image)
    assert members[FIRST][b"data"][0, 2 * 1024 + 1] == 200


def test_more_images_than_the_archive_has(tiny_archive):
    with pytest.raises(InputError, match="n_train is 301 but the archive has only 300"):
        archive.read_archive(tiny_archive.path, 301)


def test_truncated_archive(tiny_archive, tmp_path):
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(tiny_archive.bytes[: len(tiny_archive.bytes) // 2])
    with pytest.raises(InputError, match=f"{cut}: not a readable gzip tar archive"):
        archive.read_archive(cut, 10)


class RunsCommand:
    """Pickles as a call of os.system: what a malicious batch would hold."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        import os

        return os.system, (self.command,)


def test_a_pickle_naming_os_system_is_refused_and_never_run(tiny_archive, tmp_path):
    marker = tmp_path / "executed"
    path = with_member(tiny_archive, tmp_path, FIRST,
                       {b"data": RunsCommand(f"touch {marker}"), b"labels": []})
    with pytest.raises(InputError, match="refused global (posix|os).system"):
        archive.read_archive(path, 10)
    assert not marker.exists()


def test_only_latin1_is_allowed_through_the_codec_global():
    payload = pickle.dumps(b"abc", protocol=2).replace(b"latin1", b"rot_13")
    with pytest.raises(pickle.UnpicklingError, match="refused codec"):
        archive.safe_unpickle(payload)


def five_images(**changes):
    """A batch of five black images, with `data` or `labels` changed."""
    batch = {"data": np.zeros((5, 3072), np.uint8), "labels": [0, 1, 2, 3, 4], **changes}
    return {key.encode(): value for key, value in batch.items()}


@pytest.mark.parametrize("content, message", [
    (None, f"member {FIRST} is missing"),
    (five_images(data=np.zeros((5, 3000), np.uint8)),
     r"'data' has shape \(5, 3000\), not \(N, 3072\)"),
    (five_images(data=np.zeros((5, 3072), np.float64)),
     "'data' holds float64 values, not uint8 pixels"),
    (five_images(data=[[0] * 3072] * 5), "'data' is a list of 5 items, not a uint8"),
    (five_images(labels=[0, 1, 2, 3, 10]), r"labels range 0..10, expected 0..9"),
    (five_images(labels=[0, 1]), "2 labels for 5 images"),
    (five_images(labels=[0, 1, 2.0, 3, 4]), r"'labels' holds a float \(2.0\); each label is an"),
    (five_images(labels=[0, 1, "2", 3, 4]), r"'labels' holds a str \('2'\)"),
    (five_images(labels=[0, 1, True, 3, 4]), r"'labels' holds a bool \(True\)"),
    (five_images(labels=np.zeros(5, np.float32)), "'labels' is a float32 array of shape"),
    (five_images(labels=None), "'labels' is missing"),
    ([1, 2, 3], "holds a list, not a dict"),
])
def test_malformed_members_are_named(tiny_archive, tmp_path, content, message):
    path = with_member(tiny_archive, tmp_path, FIRST, content)
    with pytest.raises(InputError, match=message):
        archive.read_archive(path, 5)


def test_integer_arrays_are_labels_too(tiny_archive, tmp_path):
    path = with_member(tiny_archive, tmp_path, FIRST, five_images(labels=np.arange(5)))
    np.testing.assert_array_equal(archive.read_archive(path, 5).y_train, np.arange(5))


def test_labels_of_shared_references_are_refused_before_they_are_expanded(tiny_archive,
                                                                            tmp_path):
    """Ten thousand references to one list of ten thousand: a few kB pickled, 800 MB as an
    array; refused as they are, a list of lists."""
    shared = [0] * 10_000
    content = {b"data": np.zeros((10_000, 3072), np.uint8), b"labels": [shared] * 10_000}
    path = with_member(tiny_archive, tmp_path, FIRST, content)
    with pytest.raises(InputError, match=r"'labels' holds a list of 10,000 items; each label"):
        archive.read_archive(path, 5)


def test_a_batch_of_more_images_than_the_format_allows_is_refused(tiny_archive, tmp_path):
    """11,000 valid-looking images, where a CIFAR-10 batch has 10,000."""
    content = {b"data": np.zeros((11_000, 3072), np.uint8), b"labels": [0] * 11_000}
    path = with_member(tiny_archive, tmp_path, FIRST, content)
    with pytest.raises(InputError, match=r"'data' has shape \(11000, 3072\), not \(N, 3072\) "
                                         r"with N at most 10,000 images"):
        archive.read_archive(path, 5)


def test_a_member_that_is_not_a_pickle(tiny_archive, tmp_path):
    members = dict(tiny_archive.members)
    del members[archive.META]
    path = make_archive(tmp_path / "bad.tar.gz", members, raw={archive.META: b"not a pickle"}).path
    with pytest.raises(InputError, match="batches.meta is not a CIFAR-10 batch"):
        archive.read_archive(path, 5)


def link(name, target, kind):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


@pytest.mark.parametrize("entry, message", [
    (link(FIRST, archive.TEST_BATCH, tarfile.SYMTYPE),
     f"member {FIRST} is a symbolic link to {archive.TEST_BATCH}, not a regular file"),
    (link(FIRST, archive.TEST_BATCH, tarfile.LNKTYPE),
     f"member {FIRST} is a hard link to {archive.TEST_BATCH}, not a regular file"),
    (link(FIRST, "", tarfile.DIRTYPE), f"member {FIRST} is a folder, not a regular file"),
    (link(FIRST, "", tarfile.CHRTYPE), f"member {FIRST} is a device or other special file"),
])
def test_a_link_or_special_file_in_place_of_a_batch_is_named_as_such(tiny_archive, tmp_path,
                                                                     entry, message):
    members = dict(tiny_archive.members)
    del members[FIRST]
    path = write_tar(tmp_path / "links.tar.gz", [*member_entries(members), entry])
    with pytest.raises(InputError, match=message):
        archive.read_archive(path, 5)


def test_the_last_entry_of_a_name_wins_as_in_tar_x(tiny_archive, tmp_path):
    """A batch read as the listing passes it is forgotten when a later entry takes its name:
    a later batch is read instead, a later link is refused."""
    entries = member_entries(tiny_archive.members)
    later = {**tiny_archive.members[FIRST], b"labels": [9] * PER_BATCH}
    path = write_tar(tmp_path / "twice.tar.gz", [*entries, *member_entries({FIRST: later})])
    assert set(archive.read_archive(path, 5).y_train) == {9}
    path = write_tar(tmp_path / "linked.tar.gz",
                     [*entries, link(FIRST, archive.TEST_BATCH, tarfile.SYMTYPE)])
    with pytest.raises(InputError, match=f"member {FIRST} is a symbolic link"):
        archive.read_archive(path, 5)


def test_the_archive_is_decompressed_once(tiny_archive, monkeypatch):
    """The members the lesson needs are read as the listing passes them, not reached again by
    decompressing the gzip stream from its start (seconds for the real archive)."""
    import _compression

    rewinds = []
    rewind = _compression.DecompressReader._rewind

    def counted(self):
        rewinds.append(self)
        return rewind(self)

    monkeypatch.setattr(_compression.DecompressReader, "_rewind", counted)
    archive.read_archive(tiny_archive.path, PER_BATCH)  # within the first batch, as the lesson's
    assert rewinds == []


def test_a_member_declared_larger_than_a_batch_is_refused_before_it_is_inflated(tmp_path):
    """A header that announces 2.2 GB: refused from the header, so the data is never read (the
    archive here ends after the header: reading on would fail otherwise)."""
    info = tarfile.TarInfo(FIRST)
    info.size = 2_200_000_000
    header = info.tobuf(tarfile.GNU_FORMAT)
    path = tmp_path / "bomb.tar.gz"
    path.write_bytes(gzip.compress(header, mtime=0))
    with pytest.raises(InputError, match=f"member {FIRST} is 2,200,000,000 bytes, more than"):
        archive.read_archive(path, 5)


def test_a_long_name_header_larger_than_a_batch_is_refused_before_it_is_read(tmp_path):
    """GNU long names are read whole by tarfile as it lists the entries."""
    info = tarfile.TarInfo("././@LongLink")
    info.type, info.size = tarfile.GNUTYPE_LONGNAME, 1 << 40
    path = tmp_path / "longname.tar.gz"
    path.write_bytes(gzip.compress(info.tobuf(tarfile.GNU_FORMAT), mtime=0))
    with pytest.raises(InputError, match="is 1,099,511,627,776 bytes, more than a CIFAR-10"):
        archive.read_archive(path, 5)


def test_more_entries_than_the_format_has_are_refused(tiny_archive, tmp_path):
    extra = []
    for i in range(archive.MAX_MEMBERS):
        info = tarfile.TarInfo(f"{archive.FOLDER}/extra_{i}")
        info.size = 1
        extra.append((info, b"x"))
    path = write_tar(tmp_path / "many.tar.gz", [*member_entries(tiny_archive.members), *extra])
    with pytest.raises(InputError, match="more than 64 entries"):
        archive.read_archive(path, 5)


# Generated batches: whatever a member holds, the reader returns checked arrays or refuses it
# with an InputError that names the member; it never fails otherwise.
small_ints = st.integers(-3, 12)
pixels = st.sampled_from([np.uint8, np.int64, np.float32, np.bool_])
data_values = st.one_of(
    st.builds(lambda n, width, dtype: np.zeros((n, width), dtype),
              st.integers(0, 6), st.sampled_from([3072, 3071, 1]), pixels),
    st.builds(lambda n: np.zeros(n, np.uint8), st.integers(0, 4)),
    st.lists(st.lists(small_ints, max_size=3), max_size=3), st.none(), st.text(max_size=5),
    st.binary(max_size=8))
label_values = st.one_of(
    st.lists(st.one_of(small_ints, st.floats(allow_nan=True), st.text(max_size=2),
                       st.booleans(), st.lists(small_ints, max_size=2)), max_size=7),
    st.lists(small_ints, max_size=7),
    st.builds(lambda values, dtype: np.array(values, dtype),
              st.lists(st.integers(0, 9), max_size=7), st.sampled_from([np.int64, np.float64])),
    st.none(), st.integers(), st.binary(max_size=4))
batches = st.one_of(
    st.fixed_dictionaries({b"data": data_values, b"labels": label_values}),
    st.dictionaries(st.sampled_from([b"data", b"labels", "data", 1]), data_values, max_size=2),
    st.lists(small_ints, max_size=3), st.text(max_size=5))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=batches, n_train=st.integers(1, 8))
def test_any_batch_is_read_checked_or_refused_by_name(tiny_archive, tmp_path, batch, n_train):
    path = with_member(tiny_archive, tmp_path, FIRST, batch)
    try:
        read = archive.read_archive(path, n_train)
    except InputError as error:
        assert str(error).startswith(f"{path}: ")
        return
    assert read.x_train.shape == (n_train, 32, 32, 3) and read.x_train.dtype == np.uint8
    assert read.y_train.dtype == np.int64 and set(read.y_train) <= set(range(10))
    assert len(read.y_test) == len(read.x_test) == N_TEST
