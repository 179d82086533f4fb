"""Two runs side by side (cnn_lesson.compare): the noise rule, the folders it takes, what it
names."""

import json
import statistics

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_lesson import compare
from cnn_lesson.cli import AGREE, DIFFER, UNUSABLE, main
from cnn_lesson.errors import InputError

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


def finished_run(results, model="base", dropout="0.00", seed=1, loss=2.0):
    folder = results / "evaluate" / model / f"dropout-{dropout}" / f"seed-{seed}"
    folder.mkdir(parents=True)
    (folder / "metrics.json").write_text(json.dumps({"test_loss": loss, "test_accuracy": 0.5}))


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
    finished_run(tmp_path / "b" / "results" / "dollar-street-10")
    with pytest.raises(InputError, match="holds runs of cifar10 and .* of dollar_street_10"):
        compare.pairs(tmp_path / "a", tmp_path / "b")
    finished_run(tmp_path / "b" / "results")
    finished_run(tmp_path / "a" / "results" / "dollar-street-10")
    assert [name for name, _, _ in compare.pairs(tmp_path / "a", tmp_path / "b")] == \
        ["cifar10", "dollar_street_10"]


def test_a_copy_of_results_is_a_folder_too(tmp_path):
    finished_run(tmp_path / "a" / "results")
    finished_run(tmp_path / "copy")  # results/ copied as it is
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "copy"),
                 "--out", str(tmp_path / "out")]) == AGREE
    assert (tmp_path / "out" / "compare.md").is_file()


def test_the_default_output_is_never_inside_a_or_b(tmp_path, monkeypatch):
    finished_run(tmp_path / "a" / "results")
    monkeypatch.chdir(tmp_path / "a")
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "a")]) == UNUSABLE
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
