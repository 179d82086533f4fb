"""Two runs side by side (cnn_lesson.compare): the noise rule, the folders it takes, what it
names."""

import json
import statistics
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnn_lesson import compare, layout
from cnn_lesson.cli import AGREE, DIFFER, UNUSABLE, main
from cnn_lesson.errors import InputError
from helpers import write_training

values = st.lists(st.floats(0, 10, allow_nan=False), min_size=1, max_size=6)


@given(a=values, b=values)
def test_the_noise_rule(a, b):
    verdict = compare.noise(a, b)
    if sorted(a) == sorted(b):
        assert verdict == compare.SAME
    elif min(len(a), len(b)) < 2:
        assert verdict == compare.CANNOT_TELL
    else:
        assert verdict in (compare.WITHIN, compare.BEYOND)
        assert compare.noise(b, a) == verdict  # symmetric


@given(a=st.lists(st.floats(0, 1), min_size=2, max_size=5), shift=st.floats(0, 100))
def test_a_shift_beyond_twice_the_error_is_beyond(a, shift):
    b = [value + shift for value in a]
    error = (2 * statistics.variance(a) / len(a)) ** 0.5
    expected = compare.SAME if shift == 0 or a == b else (
        compare.BEYOND if abs(statistics.mean(b) - statistics.mean(a)) > 2 * error
        else compare.WITHIN)
    assert compare.noise(a, b) == expected


CLAIMS = "claim\tverdict\tmeasured\ntotal_base\tholds\t1\n"
CHOSEN = "model\tchosen_rate\n"


def finished_run(results, model="base", dropout=0.0, seed=1, loss=2.0, edition="cifar10"):
    """A finished training in `results`, and the tables compare reads beside it."""
    write_training(results, model, dropout, seed, test_loss=loss, edition=edition)
    for relative, text in ((layout.CLAIMS_TABLE, CLAIMS), (layout.CHOSEN_TABLE, CHOSEN)):
        (results / relative).parent.mkdir(parents=True, exist_ok=True)
        (results / relative).write_text(text)


def test_a_folder_with_no_finished_run_is_named(tmp_path):
    finished_run(tmp_path / "a" / "results")
    (tmp_path / "b" / "results" / "train").mkdir(parents=True)
    with pytest.raises(InputError, match=f"{tmp_path / 'b'} holds no finished run"):
        compare.pairs(tmp_path / "a", tmp_path / "b")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"),
                 "--out", str(tmp_path / "out")]) == UNUSABLE
    assert not (tmp_path / "out").exists()


def test_two_editions_are_refused_by_name_and_both_compare_edition_by_edition(tmp_path):
    finished_run(tmp_path / "a" / "results")
    finished_run(tmp_path / "b" / "results" / "dollar-street-10", edition="dollar_street_10")
    with pytest.raises(InputError, match="holds runs of cifar10 and .* of dollar_street_10"):
        compare.pairs(tmp_path / "a", tmp_path / "b")
    finished_run(tmp_path / "b" / "results")
    finished_run(tmp_path / "a" / "results" / "dollar-street-10", edition="dollar_street_10")
    assert [name for name, _, _ in compare.pairs(tmp_path / "a", tmp_path / "b")] == \
        ["cifar10", "dollar_street_10"]


def test_the_edition_is_the_records_not_the_folders(tmp_path):
    """One edition's results folder given directly is compared as its trainings' records say,
    and a folder name that says otherwise changes nothing."""
    finished_run(tmp_path / "a" / "results" / "dollar-street-10", edition="dollar_street_10")
    finished_run(tmp_path / "b", model="sweep", edition="dollar_street_10")
    [(name, ours, theirs)] = compare.pairs(tmp_path / "a" / "results" / "dollar-street-10",
                                           tmp_path / "b")
    assert name == "dollar_street_10" and theirs.trainings[0].model == "sweep"


def test_a_copy_of_results_is_a_folder_too(tmp_path):
    finished_run(tmp_path / "a" / "results")
    finished_run(tmp_path / "copy")  # results/ copied as it is
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "copy"),
                 "--out", str(tmp_path / "out")]) == AGREE
    assert (tmp_path / "out" / "compare.md").is_file()


def test_the_default_output_is_never_inside_a_or_b(tmp_path, monkeypatch):
    finished_run(tmp_path / "a" / "results")
    finished_run(tmp_path / "b" / "results")
    monkeypatch.chdir(tmp_path / "a")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b")]) == UNUSABLE
    assert not (tmp_path / "a" / "results" / "compare").exists()


def test_runs_only_one_side_holds_are_named(tmp_path):
    finished_run(tmp_path / "a" / "results")
    finished_run(tmp_path / "a" / "results", seed=2)
    finished_run(tmp_path / "b" / "results")
    [found] = compare.compare(tmp_path / "a", tmp_path / "b")
    assert found.only == ["A only: base dropout 0 seed 2"]
    assert found.reasons() == ["A only: base dropout 0 seed 2"]


def test_a_flipped_timing_claim_is_shown_but_sets_nothing():
    a = pd.DataFrame({"claim": ["dropout_speed", "total_base"], "verdict": ["holds", "holds"],
                      "measured": ["1", "2"]})
    b = a.assign(verdict=["does not hold", "holds"])
    table = compare.compare_claims(a, b, compare.timed_claims(compare.load("cifar10")))
    assert table.iloc[0]["claim"] == "dropout_speed" and table.iloc[0]["flipped"]
    assert bool(table.iloc[0]["timed"])


# ------------------------------------------------------------------ bad input on either side

def two_runs(tmp_path):
    for side in ("a", "b"):
        finished_run(tmp_path / side / "results")
        finished_run(tmp_path / side / "results", seed=2, loss=2.1)
    return tmp_path / "a", tmp_path / "b"


def compare_main(*args) -> tuple[int, str]:
    """`cnn-lesson compare ARGS`: its exit status and what it wrote to stderr (a traceback
    fails the test: main lets none escape)."""
    import contextlib
    import io

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        code = main(["compare", *map(str, args)])
    return code, stderr.getvalue()


# Each file compare reads, from a side's results folder
READ = {
    "record": "train/base/dropout-0.00/seed-1/provenance.json",
    "history": "train/base/dropout-0.00/seed-1/history.tsv",
    "metrics": "evaluate/base/dropout-0.00/seed-1/metrics.json",
    "claims": layout.CLAIMS_TABLE,
    "chosen": layout.CHOSEN_TABLE,
}
BAD = st.one_of(
    st.binary(max_size=60),
    st.sampled_from([b"", b"\xff\xfe\x00", b"{", b"[]", b"{}", b"null", b'"text"',
                     b'{"test_loss": NaN, "test_accuracy": 0.5}',
                     b'{"test_loss": "2.0", "test_accuracy": 0.5}', b"claim\tverdict\n",
                     b"model\tchosen_rate\nbase\tx\n", b"epoch\tloss\n", b"\t\t\n\n"]),
    st.dictionaries(st.text(max_size=8), st.none() | st.floats() | st.text(max_size=4),
                    max_size=3).map(lambda value: json.dumps(value).encode()))


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(side=st.sampled_from("ab"), name=st.sampled_from(sorted(READ)), data=BAD)
def test_a_broken_file_on_either_side_is_named_with_exit_2(tmp_path_factory, side, name, data):
    """Generated corruptions of each file compare reads, on either side: exit 2 naming the
    file, nothing written; never a traceback, never exit 0 or 1 for a file it could not
    read."""
    a, b = two_runs(tmp_path_factory.mktemp("runs"))
    path = (a if side == "a" else b) / "results" / READ[name]
    path.write_bytes(data)
    out = a.parent / "out"
    code, stderr = compare_main(a, b, "--out", out)
    if code == UNUSABLE:
        assert str(path) in stderr and "Traceback" not in stderr
        assert not out.exists()
        if name in ("claims", "chosen"):  # made from the trainings: no training to train again
            assert "delete it and run the workflow" in stderr and "training's folder" not in stderr
    else:  # the bytes happen to be a file of its form
        assert code in (AGREE, DIFFER) and name in ("claims", "chosen")


def test_a_folder_in_a_files_place_and_a_missing_claims_table_are_named(tmp_path):
    a, b = two_runs(tmp_path)
    (b / "results" / READ["metrics"]).unlink()
    (b / "results" / READ["metrics"]).mkdir()
    code, stderr = compare_main(a, b, "--out", tmp_path / "out")
    assert code == UNUSABLE and f"{b / 'results' / READ['metrics']} is a folder" in stderr
    a, b = two_runs(tmp_path / "again")
    (a / "results" / layout.CLAIMS_TABLE).unlink()
    code, stderr = compare_main(a, b, "--out", tmp_path / "out")
    assert code == UNUSABLE and f"{a / 'results' / layout.CLAIMS_TABLE} is missing" in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("where", ["inside A", "A itself", "holding B", "inside B's results"])
def test_an_out_that_touches_a_or_b_is_refused_before_anything_is_written(tmp_path, where):
    a, b = two_runs(tmp_path)
    out = {"inside A": a / "results" / "lesson", "A itself": a, "holding B": tmp_path,
           "inside B's results": b / "results" / "compare"}[where]
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    code, stderr = compare_main(a, b, "--out", out)
    assert code == UNUSABLE and f"--out {out}" in stderr and "a folder of its own" in stderr
    assert {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()} == before


@pytest.mark.parametrize("where", ["a file", "below a file", "unwritable"])
def test_an_out_that_cannot_be_a_writable_folder_is_named(tmp_path, where):
    a, b = two_runs(tmp_path)
    (tmp_path / "file").write_text("")
    out = {"a file": tmp_path / "file", "below a file": tmp_path / "file" / "out",
           "unwritable": Path("/proc/cnn-lesson-compare")}[where]
    code, stderr = compare_main(a, b, "--out", out)
    assert code == UNUSABLE and f"--out {out}" in stderr and "Traceback" not in stderr


def test_a_folder_compared_with_itself_is_named(tmp_path):
    a, _ = two_runs(tmp_path)
    code, stderr = compare_main(a, a / ".." / "a", "--out", tmp_path / "out")
    assert code == UNUSABLE and "are the same folder" in stderr


def test_a_claim_only_one_side_holds_is_a_difference(tmp_path):
    a, b = two_runs(tmp_path)
    (b / "results" / layout.CLAIMS_TABLE).write_text(
        CLAIMS + "dropout_smaller_gap\tholds\t0.1\n")
    [found] = compare.compare(a, b)
    assert found.reasons() == ["claim dropout_smaller_gap: - in A, holds in B"]
