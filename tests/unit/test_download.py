"""The download: real HTTP on 127.0.0.1, checksums always verified, no file left on failure."""

import hashlib
import subprocess

import pytest

from cnn_lesson.workflow import download
from cnn_lesson.errors import InputError
from servers import Route, Server

PATH = "/cifar-10-python.tar.gz"


def fetch(source, dest, archive, **kwargs):
    download.fetch(source, dest, md5=archive.md5, sha256=archive.sha256, **kwargs)


def assert_nothing_left(dest):
    assert list(dest.parent.iterdir()) == []


def test_downloads_and_verifies(served_archive, tiny_archive, tmp_path):
    dest = tmp_path / "out" / "archive.tar.gz"
    dest.parent.mkdir()
    fetch(served_archive, dest, tiny_archive)
    assert dest.read_bytes() == tiny_archive.bytes
    assert [p.name for p in dest.parent.iterdir()] == ["archive.tar.gz"]


def test_wrong_checksum_names_source_and_keeps_nothing(served_archive, tiny_archive, tmp_path):
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match=f"{served_archive} gave .* bytes with md5 "
                                         f"{tiny_archive.md5}, not data.md5 0+: .*Nothing was "
                                         f"kept.*set data.md5 and data.sha256"):
        download.fetch(served_archive, dest, md5="0" * 32)
    assert_nothing_left(dest)


def test_sha256_is_checked_too(served_archive, tiny_archive, tmp_path):
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match="with sha256 .*, not data.sha256 f+"):
        download.fetch(served_archive, dest, md5=tiny_archive.md5, sha256="f" * 64)
    assert_nothing_left(dest)


def test_truncated_file_fails_the_checksum(server, tiny_archive, tmp_path):
    server.routes[PATH] = Route(tiny_archive.bytes[:1000])
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match="gave 1,000 bytes with md5 .*truncated"):
        fetch(server.url(PATH), dest, tiny_archive)
    assert_nothing_left(dest)


def test_an_html_page_is_refused_naming_data_url(server, tiny_archive, tmp_path):
    server.routes[PATH] = Route(b"<!DOCTYPE html><html><body>Please log in</body></html>",
                                content_type="text/html")
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match="gave an HTML page.*data.url"):
        fetch(server.url(PATH), dest, tiny_archive)
    assert_nothing_left(dest)


def test_404_is_not_retried(server, tiny_archive, tmp_path):
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match=r"answered HTTP 404 Not Found.*data\.archive"):
        fetch(server.url("/missing.tar.gz"), dest, tiny_archive)
    assert_nothing_left(dest)


def test_server_errors_are_retried_then_reported(server, tiny_archive, tmp_path):
    server.routes[PATH] = Route(status=503)
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match="failed 2 times, last with: HTTP 503"):
        fetch(server.url(PATH), dest, tiny_archive, tries=2)
    assert server.routes[PATH].requests == 2
    assert_nothing_left(dest)


def test_dropped_connection_is_resumed(server, tiny_archive, tmp_path):
    server.routes[PATH] = route = Route(tiny_archive.bytes, drops=1)
    dest = tmp_path / "archive.tar.gz"
    fetch(server.url(PATH), dest, tiny_archive)
    assert hashlib.md5(dest.read_bytes()).hexdigest() == tiny_archive.md5
    assert route.requests == 2


def test_dropped_connection_restarts_where_ranges_are_not_served(server, tiny_archive, tmp_path):
    server.routes[PATH] = Route(tiny_archive.bytes, drops=1, ranges=False)
    dest = tmp_path / "archive.tar.gz"
    fetch(server.url(PATH), dest, tiny_archive)
    assert dest.read_bytes() == tiny_archive.bytes


def test_every_try_dropped_is_a_clear_failure(server, tiny_archive, tmp_path):
    server.routes[PATH] = Route(tiny_archive.bytes, drops=5, ranges=False)
    dest = tmp_path / "archive.tar.gz"
    with pytest.raises(InputError, match="failed 3 times"):
        fetch(server.url(PATH), dest, tiny_archive, tries=3)
    assert_nothing_left(dest)


def test_local_copy_is_verified(tiny_archive, tmp_path):
    dest = tmp_path / "out" / "archive.tar.gz"
    dest.parent.mkdir()
    fetch(str(tiny_archive.path), dest, tiny_archive)
    assert dest.read_bytes() == tiny_archive.bytes
    with pytest.raises(InputError) as refused:
        download.fetch(str(tiny_archive.path), tmp_path / "other.tar.gz", md5="1" * 32)
    message = str(refused.value)
    assert message.startswith(f"{tiny_archive.path} (data.archive, ")
    assert f"has md5 {tiny_archive.md5}, not data.md5 {'1' * 32}" in message
    assert "set data.md5 and data.sha256" in message
    assert "bytes received" not in message and "or set data.archive" not in message
    assert not (tmp_path / "other.tar.gz").exists()


def test_missing_local_copy_names_the_key(tmp_path, tiny_archive):
    with pytest.raises(InputError, match="data.archive: .*nothere.tar.gz does not exist"):
        fetch(str(tmp_path / "nothere.tar.gz"), tmp_path / "a.tar.gz", tiny_archive)


def test_a_file_url_is_fetched_and_verified_too(tiny_archive, tmp_path):
    dest = tmp_path / "archive.tar.gz"
    fetch(tiny_archive.path.as_uri(), dest, tiny_archive)
    assert dest.read_bytes() == tiny_archive.bytes


def test_a_server_whose_certificate_is_not_trusted_gets_nothing(tiny_archive, tmp_path):
    """HTTPS is verified: a self-signed certificate (a man in the middle) is refused."""
    key, certificate = tmp_path / "key.pem", tmp_path / "certificate.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(certificate)], check=True,
                   capture_output=True)
    server = Server(certificate=(str(certificate), str(key)))
    server.routes[PATH] = Route(tiny_archive.bytes)
    dest = tmp_path / "out" / "archive.tar.gz"
    dest.parent.mkdir()
    try:
        with pytest.raises(InputError, match="CERTIFICATE_VERIFY_FAILED"):
            fetch(server.url(PATH), dest, tiny_archive, tries=1)
    finally:
        server.close()
    assert_nothing_left(dest)


# ---------------------------------------------- Dollar Street 10: a zip and its record's md5

@pytest.fixture
def dollar_street(server, tmp_path):
    """The server answering with a tiny Dollar Street 10 zip and its Zenodo record."""
    import json

    from cnn_lesson import synthetic

    md5 = synthetic.write_npy_zip(tmp_path / "served.zip", synthetic.dollar_street_arrays(6, 3))
    server.routes["/files-archive"] = Route((tmp_path / "served.zip").read_bytes(),
                                            content_type="application/zip")
    server.routes["/record"] = Route(json.dumps(synthetic.zenodo_record(md5)).encode(),
                                     content_type="application/json")
    return md5


def fetch_zip(server, tmp_path, md5=None, record="/record"):
    from cnn_lesson.edition import load

    (tmp_path / "out").mkdir(exist_ok=True)
    return download.fetch_checked(server.url("/files-archive"), tmp_path / "out" / "ds.zip",
                                  load("dollar_street_10").DATA, md5, server.url(record),
                                  tmp_path / "out" / "ds.zip.md5.json", tries=2, timeout=5)


def test_without_pinned_md5_the_records_are_taken_recorded_and_printable(
        server, dollar_street, tmp_path):
    import json

    written = fetch_zip(server, tmp_path)
    assert written["checksums"] == dollar_street and "/record (not pinned" in written["from"]
    assert json.loads((tmp_path / "out" / "ds.zip.md5.json").read_text()) == written
    lines = download.pinning_lines(written["checksums"]).splitlines()
    assert lines[:2] == ["data:", "  md5:"]
    assert f"    train_images.npy: {dollar_street['train_images.npy']}" in lines


def test_pinned_md5_never_ask_the_record(server, dollar_street, tmp_path):
    written = fetch_zip(server, tmp_path, md5=dollar_street)
    assert written["from"] == "data.md5 in the config"
    assert server.routes["/record"].requests == 0


def test_a_pinned_md5_that_differs_keeps_nothing_and_names_the_file(
        server, dollar_street, tmp_path):
    with pytest.raises(InputError, match=r"holds test_images\.npy with md5 .*not "
                                         r"data\.md5\.test_images\.npy 0+: .*Nothing was kept"):
        fetch_zip(server, tmp_path, md5={**dollar_street, "test_images.npy": "0" * 32})
    assert_nothing_left(tmp_path / "out" / "ds.zip")


@pytest.mark.parametrize("body, fragment", [
    (b"<html>maintenance</html>", "not a Zenodo record's metadata"),
    (b'{"files": [{"key": "train_images.npy", "checksum": "md5:abc"}]}',
     "publishes 'md5:abc' as the checksum of train_images.npy"),
    (b'{"files": [{"key": "train_images.npy", "checksum": "sha256:' + b"a" * 64 + b'"}]}',
     "as the checksum of train_images.npy"),
    (b'{"hits": []}', "not a Zenodo record's metadata"),
])
def test_a_record_without_the_files_md5_stops_naming_it(server, dollar_street, tmp_path, body,
                                                         fragment):
    server.routes["/bad"] = Route(body, content_type="application/json")
    with pytest.raises(InputError, match=fragment) as error:
        fetch_zip(server, tmp_path, record="/bad")
    assert "data.md5" in str(error.value)
    assert server.routes["/files-archive"].requests == 0  # nothing downloaded on its word
    assert_nothing_left(tmp_path / "out" / "ds.zip")


def test_a_record_that_changed_after_the_files_stops_the_download(server, dollar_street,
                                                                  tmp_path):
    """The record publishes other md5 than the zip's files have (a new version, a corrupted
    transfer): nothing is kept."""
    import json

    from cnn_lesson import synthetic

    other = {**dollar_street, "train_labels.npy": "f" * 32}
    server.routes["/record"] = Route(json.dumps(synthetic.zenodo_record(other)).encode())
    with pytest.raises(InputError, match=r"holds train_labels\.npy with md5"):
        fetch_zip(server, tmp_path)
    assert_nothing_left(tmp_path / "out" / "ds.zip")


def test_an_unreachable_record_says_what_to_do(server, dollar_street, tmp_path):
    with pytest.raises(InputError, match=r"answered HTTP 404.*Pin the files' md5"):
        fetch_zip(server, tmp_path, record="/nothing-here")


def bad_zip(kind: str, path) -> dict:
    """A zip of the Dollar Street 10 files with one thing wrong, written to `path`; its md5."""
    from cnn_lesson import synthetic

    arrays = synthetic.dollar_street_arrays(8, 4)
    if kind == "float images":
        arrays["train_images.npy"] = arrays["train_images.npy"] / 255.0
    elif kind == "labels of another count":
        arrays["test_labels.npy"] = arrays["test_labels.npy"][:-1]
    elif kind == "a missing file":
        del arrays["train_labels.npy"]
    elif kind == "no test image":
        arrays["test_images.npy"] = arrays["test_images.npy"][:0]
        arrays["test_labels.npy"] = arrays["test_labels.npy"][:0]
    md5 = synthetic.write_npy_zip(path, arrays)
    if kind == "not a zip":
        path.write_bytes(b"this is not a zip" * 10)
    return md5


@pytest.mark.parametrize("kind, fragment", [
    ("float images", "train_images.npy holds float64 values"),
    ("labels of another count", "test_labels.npy holds an array of shape (3,) for 4 images"),
    ("a missing file", "must hold exactly train_images.npy"),
    ("no test image", "test_images.npy holds no image"),
    ("not a zip", "not a readable zip"),
])
def test_a_bad_local_copy_is_named_as_given_with_what_to_do_and_nothing_kept(tmp_path, kind,
                                                                            fragment):
    """data.archive's file, whose md5 the user pinned: refused naming it as the user gave it
    (never the temporary copy it is read from), with the remedy for a local copy (replace it,
    not "fetch it again", which would copy the same file)."""
    from cnn_lesson.edition import load

    local = tmp_path / "my copy.zip"
    md5 = bad_zip(kind, local)
    pinned = {name: md5.get(name, "0" * 32) for name in load("dollar_street_10").DATA.files}
    with pytest.raises(InputError) as refused:
        download.fetch_checked(str(local), tmp_path / "out.zip", load("dollar_street_10").DATA,
                               pinned, "https://127.0.0.1:9/unused", tmp_path / "out.md5.json")
    message = str(refused.value)
    assert message.startswith(f"{local} (data.archive)") and fragment in message, message
    assert "Point data.archive at a good copy" in message and ".part" not in message
    assert "fetch a verified copy" not in message
    assert not (tmp_path / "out.zip").exists() and not (tmp_path / "out.md5.json").exists()
