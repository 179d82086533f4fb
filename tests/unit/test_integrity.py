"""The records of what prepare_data and train wrote, and the checks made with them before
anything is planned: every state of results/data/ and of a training's folder either passes,
because it is what was written (or will be made again anyway), or is refused by name."""

import itertools
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnn_lesson.archive import TarArchive
from cnn_lesson.errors import InputError
from cnn_lesson.workflow import integrity

CIFAR10 = TarArchive("cifar-10-python.tar.gz")

RECIPE = "data: the first 200 training images of the archive with md5 abc, prepared by code 1"


def written_data(folder, recipe=RECIPE):
    """A .npz and its record as prepare_data leaves them; the archive is not looked at."""
    npz, record = folder / "cifar10.npz", folder / "cifar10.json"
    npz.write_bytes(os.urandom(4096))
    record.write_text(json.dumps(integrity.data_checksums(npz, recipe)))
    return npz, record


def check_data(npz, record):
    integrity.check_stored_data(npz.parent / "absent.tar.gz", npz, record, RECIPE, CIFAR10,
                                {"md5": "0" * 32, "sha256": None})


def newer(path):
    """Give `path` a modification time after every record's."""
    later = path.stat().st_mtime_ns + 10**9
    os.utime(path, ns=(later, later))


NPZ_STATES = ["intact", "missing", "truncated", "edited", "touched"]
RECORD_STATES = ["intact", "missing", "not JSON", "a list", "no checksum", "other recipe"]


def put_npz(npz, state):
    content = npz.read_bytes()
    if state == "missing":
        npz.unlink()
    elif state == "truncated":
        npz.write_bytes(content[:1000])
    elif state == "edited":
        npz.write_bytes(content[:-1] + bytes([content[-1] ^ 0xFF]))
    if state in ("edited", "touched"):
        newer(npz)


def put_record(record, state):
    if state == "missing":
        record.unlink()
    elif state == "not JSON":
        record.write_bytes(b"\x89PNG not json")
    elif state == "a list":
        record.write_text("[1, 2, 3]")
    elif state == "no checksum":
        record.write_text(json.dumps({"recipe": RECIPE, "file": {"bytes": 4096}}))
    elif state == "other recipe":
        content = json.loads(record.read_text())
        record.write_text(json.dumps({**content, "recipe": "another recipe"}))


def expected_data_outcome(npz_state, record_state):
    """None where the data passes, else the words the refusal must hold."""
    if npz_state == "missing" or record_state == "other recipe":
        return None  # nothing stored to check, or prepare_data makes it again anyway
    if record_state == "missing":
        return "cannot be checked: its record .* is missing"
    if record_state != "intact":
        return "cannot be checked: its record .* is unreadable"
    return {"intact": None, "touched": None,
            "truncated": r"is not the file prepare_data wrote \(1,000 bytes, 4,096 when",
            "edited": "its content differs from when it was written"}[npz_state]


@pytest.mark.parametrize("npz_state, record_state",
                         list(itertools.product(NPZ_STATES, RECORD_STATES)))
def test_every_state_of_the_stored_data_passes_or_is_refused_by_name(tmp_path, npz_state,
                                                                     record_state):
    npz, record = written_data(tmp_path)
    put_npz(npz, npz_state)
    put_record(record, record_state)
    expected = expected_data_outcome(npz_state, record_state)
    if expected is None:
        check_data(npz, record)
        return
    with pytest.raises(InputError, match=expected) as refused:
        check_data(npz, record)
    message = str(refused.value)
    assert message.startswith(str(npz)) and "Nothing was run or deleted" in message
    assert f"`rm -f {npz} {record} && snakemake --cores all {npz}`" in message


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=70),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(["recipe", "file", "bytes", "sha256", "x"]), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(json_values.map(json.dumps), st.binary(max_size=40).map(repr)))
def test_any_record_is_used_or_refused_by_name(tmp_path_factory, content):
    npz, record = written_data(tmp_path_factory.mktemp("data"))
    record.write_text(content)
    try:
        check_data(npz, record)
    except InputError as error:
        assert str(error).startswith(f"{npz} cannot be checked: its record {record}")


def written_training(folder):
    folder.mkdir(parents=True)
    for name in integrity.TRAINING_FILES:
        (folder / name).write_bytes(os.urandom(64) + name.encode())
    record = folder / integrity.TRAINING_RECORD
    record.write_text(json.dumps(integrity.training_checksums(folder)))
    return record


@pytest.mark.parametrize("name", integrity.TRAINING_FILES)
def test_each_output_of_a_training_is_checked(tmp_path, name):
    folder = tmp_path / "seed-1"
    written_training(folder)
    integrity.check_training(folder)
    (folder / name).write_bytes(b"damaged")
    with pytest.raises(InputError, match=f"{folder / name} is not the file train wrote "
                                         r"\(7 bytes, .* when it was written\)") as refused:
        integrity.check_training(folder)
    assert f"`rm -r {folder} && snakemake --cores all {folder / 'model.keras'}`" \
        in str(refused.value)


def test_a_record_from_before_timings_is_read_and_still_checks_what_it_names(tmp_path):
    """Upgrading: a training made before timings.json has a record without it; its other files
    are checked as ever (the training then trains again, its code changed), not refused."""
    folder = tmp_path / "seed-1"
    record = written_training(folder)
    written = json.loads(record.read_text())
    del written["timings.json"]
    record.write_text(json.dumps(written))
    (folder / "timings.json").unlink()
    integrity.check_training(folder)
    (folder / "history.tsv").write_bytes(b"damaged")
    with pytest.raises(InputError, match="history.tsv is not the file train wrote"):
        integrity.check_training(folder)


def test_a_training_copied_to_new_dates_passes_and_one_edited_unseen_by_size_does_not(tmp_path):
    folder = tmp_path / "seed-1"
    written_training(folder)
    for name in integrity.TRAINING_FILES:
        newer(folder / name)
    integrity.check_training(folder)
    model = folder / "model.keras"
    content = bytearray(model.read_bytes())
    content[0] ^= 0xFF
    model.write_bytes(bytes(content))
    newer(model)
    with pytest.raises(InputError, match="its content differs from when it was written"):
        integrity.check_training(folder)


def test_a_training_without_a_record_is_not_checked_and_one_with_a_bad_record_is_refused(
        tmp_path):
    folder = tmp_path / "seed-1"
    record = written_training(folder)
    record.unlink()
    (folder / "model.keras").write_bytes(b"")
    integrity.check_training(folder)  # evaluate needs the record: train runs again
    record.write_text('{"model.keras": "abc"}')
    with pytest.raises(InputError, match="is unreadable .*so they cannot be checked"):
        integrity.check_training(folder)


def test_an_output_that_cannot_be_read_is_named(tmp_path):
    folder = tmp_path / "seed-1"
    record = written_training(folder)
    history = folder / "history.tsv"
    history.unlink()
    history.mkdir()  # stat works, reading does not
    content = json.loads(record.read_text())
    content["history.tsv"]["bytes"] = history.stat().st_size
    record.write_text(json.dumps(content))
    newer(history)
    with pytest.raises(InputError, match=f"{history} cannot be read \\(Is a directory\\)"):
        integrity.check_training(folder)


def test_an_archive_the_data_record_vouches_for_is_not_hashed_again(tmp_path):
    """Planning costs a `stat` where prepare_data's record names the config's checksums and was
    written after the archive: shown with a same-size archive of other bytes, older than the
    record, that passes unread; newer than it, or with other checksums named, it is hashed and
    refused."""
    import hashlib

    archive = tmp_path / "cifar-10-python.tar.gz"
    archive.write_bytes(os.urandom(2048))
    md5 = hashlib.md5(archive.read_bytes()).hexdigest()
    npz = tmp_path / "cifar10.npz"
    npz.write_bytes(os.urandom(64))
    record = tmp_path / "cifar10.json"
    record.write_text(json.dumps(integrity.data_checksums(npz, RECIPE, {"md5": md5,
                                                                       "sha256": None})))
    assert integrity.archive_verified(archive, record, CIFAR10, {"md5": md5, "sha256": None})
    when = archive.stat().st_mtime_ns
    archive.write_bytes(os.urandom(2048))  # other bytes, the same size and date
    os.utime(archive, ns=(when, when))
    assert integrity.archive_verified(archive, record, CIFAR10, {"md5": md5, "sha256": None})  # vouched for, not read
    assert not integrity.archive_verified(archive, record, CIFAR10, {"md5": "0" * 32, "sha256": None})  # other checksums
    newer(archive)
    assert not integrity.archive_verified(archive, record, CIFAR10, {"md5": md5, "sha256": None})  # modified since: hashed
    assert not integrity.archive_verified(tmp_path / "absent.tar.gz", record, CIFAR10, {"md5": md5, "sha256": None})


def test_checksums_beside_the_data_that_disagree_with_its_record_stop_the_run(tmp_path):
    """The md5 a download recorded beside the Dollar Street 10 zip, edited, lost or unreadable
    after the data was prepared: named, with the command that prepares it again alone."""
    npz, record = tmp_path / "dollar_street_10.npz", tmp_path / "dollar_street_10.json"
    npz.write_bytes(os.urandom(64))
    md5 = {"train_images.npy": "a" * 32, "test_images.npy": "b" * 32}
    record.write_text(json.dumps(integrity.data_checksums(npz, RECIPE, md5, "the record")))
    beside = tmp_path / "dollar-street-10.zip.md5.json"
    beside.write_text(json.dumps({"checksums": md5, "from": "the record"}))
    integrity.check_recorded_checksums(beside, npz, record)  # they agree
    for content, problem in ((json.dumps({"checksums": {**md5, "test_images.npy": "c" * 32}}),
                              "names other checksums than"), ("{not json", "is unreadable"),
                             (None, "is missing")):
        if content is None:
            beside.unlink()
        else:
            beside.write_text(content)
        with pytest.raises(InputError, match=problem) as error:
            integrity.check_recorded_checksums(beside, npz, record)
        assert "Nothing was run or deleted" in str(error.value) and "rm -f" in str(error.value)
    integrity.check_recorded_checksums(beside, tmp_path / "absent.npz", record)  # not prepared
