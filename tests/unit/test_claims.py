"""The episode's claims: each verdict rule on constructed histories and numbers, a claim that must
hold, one that must fail and one with one seed, so that no verdict is hard-coded."""

import io
import logging

import numpy as np
import pandas as pd
import pytest

from cnn_lesson import PROGRESS, claims
from cnn_lesson.claims import CANNOT_TELL, FAILS, HOLDS, Evidence
from cnn_lesson.workflow.logs import FORMAT


def history(loss, val_loss, accuracy=None, val_accuracy=None) -> pd.DataFrame:
    """A history with these curves; accuracies mirror the losses unless given."""
    loss, val_loss = np.asarray(loss, float), np.asarray(val_loss, float)
    return pd.DataFrame({
        "accuracy": 1 - loss / 3 if accuracy is None else accuracy, "loss": loss,
        "val_accuracy": 1 - val_loss / 3 if val_accuracy is None else val_accuracy,
        "val_loss": val_loss}, index=pd.RangeIndex(1, len(loss) + 1, name="epoch"))


PLATEAU = [2.0, 1.6, 1.4, 1.35, 1.34, 1.33, 1.33, 1.33]  # most of the gain early
STEADY = [2.0, 1.9, 1.8, 1.7, 1.6, 1.5, 1.4, 1.3]  # as much gain late as early
FALLING = [2.0, 1.5, 1.2, 1.0, 0.8, 0.6, 0.5, 0.4]
RISING_AFTER_LOW = [2.0, 1.6, 1.4, 1.3, 1.32, 1.36, 1.4, 1.45]
METRICS = {"test_loss": 1.3, "test_accuracy": 0.5}


def runs(curves: list[tuple[list, list]], dropout=0.0, metrics=None, seconds=None):
    return [Evidence(dropout, seed, history(loss, val), metrics or METRICS, seconds or [])
            for seed, (loss, val) in enumerate(curves, start=1)]


def claim(table_rows: list[dict], name: str) -> dict:
    return next(row for row in table_rows if row["claim"] == name)


# ----------------------------------------------------------------------------- the rules

def test_a_printed_number_holds_within_the_seeds_range_widened_by_their_spread():
    assert claims.verdict_printed(1.47, [1.40, 1.44, 1.45]) == HOLDS  # 1.45 + sd 0.026
    assert claims.verdict_printed(1.60, [1.40, 1.44, 1.45]) == FAILS
    assert claims.verdict_printed(1.45, [1.45]) == CANNOT_TELL


def test_a_statement_over_seeds_needs_the_mean_and_most_seeds():
    assert claims.verdict_over_seeds([True, True, False], True) == HOLDS
    assert claims.verdict_over_seeds([False, False, True], False) == FAILS
    assert claims.verdict_over_seeds([True, False], True) == CANNOT_TELL  # no majority
    assert claims.verdict_over_seeds([True, True, True], False) == CANNOT_TELL  # mean disagrees
    assert claims.verdict_over_seeds([True], True) == CANNOT_TELL  # one seed
    assert claims.verdict_over_seeds([None, True], True) == CANNOT_TELL  # too few epochs


def test_the_readings_of_the_episodes_words():
    assert claims.stagnates(pd.Series(PLATEAU), lower_is_better=True)
    assert not claims.stagnates(pd.Series(STEADY), lower_is_better=True)
    assert claims.stagnates(pd.Series(RISING_AFTER_LOW), lower_is_better=True)
    assert claims.stagnates(pd.Series([0.3, 0.5, 0.5, 0.5]), lower_is_better=False)
    assert claims.stagnates(pd.Series([2.0, 1.0, 0.5]), lower_is_better=True) is None
    assert claims.starts_to_increase(pd.Series(RISING_AFTER_LOW))
    assert not claims.starts_to_increase(pd.Series(PLATEAU))
    assert claims.continues_to_decrease(pd.Series(FALLING))
    assert not claims.continues_to_decrease(pd.Series(RISING_AFTER_LOW))


# ------------------------------------------------------------------- claims on trainings

@pytest.mark.parametrize("curves, verdict", [
    ([(FALLING, PLATEAU)] * 3, HOLDS),
    ([(FALLING, STEADY)] * 3, FAILS),
    ([(FALLING, PLATEAU)], CANNOT_TELL),
])
def test_base_overfits(curves, verdict):
    rows = claims.training_claims({"04_training_history_1": runs(curves)})
    assert claim(rows, "base_overfits")["verdict"] == verdict


@pytest.mark.parametrize("curves, verdict", [
    ([(FALLING, RISING_AFTER_LOW)] * 3, HOLDS),
    ([(FALLING, STEADY)] * 3, FAILS),
    ([(FALLING, RISING_AFTER_LOW)], CANNOT_TELL),
])
def test_extra_layer_overfits(curves, verdict):
    rows = claims.training_claims({"04_training_history_2": runs(curves)})
    assert claim(rows, "extra_layer_overfits")["verdict"] == verdict


def figures_with_gaps(gap_without: float, gap_with: float, seeds: int) -> dict:
    """extra_layer and dropout runs whose last epochs have these accuracy gaps."""
    def one(gap, dropout):
        return [Evidence(dropout, seed, history(FALLING, PLATEAU, accuracy=[0.5 + gap] * 8,
                                                val_accuracy=[0.5] * 8), METRICS, [])
                for seed in range(1, seeds + 1)]
    return {"04_training_history_2": one(gap_without, 0.0),
            "04_training_history_3": one(gap_with, 0.8)}


@pytest.mark.parametrize("gaps, seeds, verdict", [
    ((0.30, 0.10), 3, HOLDS), ((0.30, 0.25), 3, FAILS), ((0.30, 0.10), 1, CANNOT_TELL)])
def test_the_dropout_gap_is_much_smaller(gaps, seeds, verdict):
    rows = claims.training_claims(figures_with_gaps(*gaps, seeds))
    assert claim(rows, "dropout_smaller_gap")["verdict"] == verdict


@pytest.mark.parametrize("without, with_dropout, verdict", [
    ([5.0, 5.1, 5.0], [5.2, 5.1, 5.3], HOLDS), ([5.0, 5.0, 5.0], [7.0, 7.0, 7.0], FAILS)])
def test_dropout_does_not_affect_speed(without, with_dropout, verdict):
    def trained(dropout, seconds):
        return [Evidence(dropout, seed, history(FALLING, PLATEAU), METRICS, [9.0, s, s])
                for seed, s in enumerate(seconds, start=1)]
    rows = claims.training_claims({"04_training_history_2": trained(0.0, without),
                                   "04_training_history_3": trained(0.8, with_dropout)})
    assert claim(rows, "dropout_speed")["verdict"] == verdict


def sweep(losses: dict[float, list[float]]) -> list[Evidence]:
    return [Evidence(rate, seed, history(FALLING, PLATEAU), {"test_loss": loss}, [])
            for rate, values in losses.items() for seed, loss in enumerate(values, start=1)]


@pytest.mark.parametrize("losses, lowest, spread", [
    ({0.15: [1.40, 1.38, 1.39], 0.45: [1.26, 1.27, 1.25], 0.75: [1.33, 1.31, 1.32]},
     HOLDS, HOLDS),
    ({0.15: [1.10, 1.12, 1.11], 0.45: [1.30, 1.31, 1.29], 0.75: [1.60, 1.62, 1.61]},
     FAILS, FAILS),
    ({0.15: [1.40], 0.45: [1.26], 0.75: [1.32]}, CANNOT_TELL, CANNOT_TELL),
])
def test_the_sweep_range_and_its_lowest_rate(losses, lowest, spread):
    rows = claims.training_claims({"04_vary_dropout_rate": sweep(losses)})
    assert claim(rows, "sweep_lowest_rate")["verdict"] == lowest
    assert claim(rows, "sweep_range")["verdict"] == spread


def test_a_rate_within_one_sd_of_the_lowest_is_around_it():
    losses = {0.3: [1.24, 1.30, 1.27], 0.45: [1.28, 1.29, 1.27], 0.6: [1.5, 1.5, 1.5]}
    row = claim(claims.training_claims({"04_vary_dropout_rate": sweep(losses)}),
                "sweep_lowest_rate")
    assert row["verdict"] == HOLDS and "lowest mean at 0.3" in row["measured"]


@pytest.mark.parametrize("values, verdict", [
    ([1.45, 1.47, 1.49], HOLDS), ([1.10, 1.12, 1.11], FAILS), ([1.4683], CANNOT_TELL)])
def test_the_printed_evaluate_line(values, verdict):
    dropout = [Evidence(0.8, seed, history(FALLING, PLATEAU),
                        {"test_loss": loss, "test_accuracy": 0.53}, [])
               for seed, loss in enumerate(values, start=1)]
    rows = claims.training_claims({"04_training_history_3": dropout})
    assert claim(rows, "printed_loss")["verdict"] == verdict


def test_a_figure_the_config_does_not_make_cannot_tell():
    rows = claims.training_claims({})
    assert {row["verdict"] for row in rows} == {CANNOT_TELL}
    assert all(row["measured"] == "not run by this config" for row in rows)


# ----------------------------------------------------------------- data, models, the logs

def test_the_data_claims():
    images = np.zeros((5000, 32, 32, 3), np.float32)
    images[0, 0, 0, 0] = 1.0
    rows = claims.data_claims(images.shape, claims.pixel_range(images), list(range(10)))
    assert {row["claim"]: row["verdict"] for row in rows} == {
        "sample_shape": HOLDS, "pixel_range": HOLDS, "labels": HOLDS, "features": HOLDS}
    rows = claims.data_claims((200, 32, 32, 3), (0, 252), [0, 1, 2])
    assert [row["verdict"] for row in rows] == [FAILS, FAILS, FAILS, HOLDS]


def test_the_model_claims_find_the_episodes_one_wrong_total():
    from cnn_lesson import lesson

    facts = lesson.model_facts(lesson.parameter_table())
    verdicts = {row["claim"]: row["verdict"] for row in claims.parameter_claims(facts)}
    assert verdicts.pop("total_base") == FAILS  # the summary printed under create_nn()
    assert set(verdicts.values()) == {HOLDS}


def test_the_seconds_of_each_epoch_are_read_from_a_trainings_log():
    from cnn_lesson.training import EpochLog

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    progress = logging.getLogger(PROGRESS)
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    try:
        epochs = EpochLog("train base/dropout-0.00/seed-1", 2)
        for epoch in (0, 1, 1):  # the second epoch logged twice: resumed after a kill
            epochs.on_epoch_begin(epoch)
            epochs.on_epoch_end(epoch, {"loss": 1.0, "val_loss": 1.1})
    finally:
        progress.removeHandler(handler)
    seconds = claims.seconds_per_epoch(stream.getvalue())
    assert len(seconds) == 2 and all(value >= 0 for value in seconds)
