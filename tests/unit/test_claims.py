"""The episode's claims: each verdict rule on constructed histories and numbers, a claim that must
hold, one that must fail and one with one seed, so that no verdict is hard-coded."""

import io
import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_lesson import PROGRESS, claims
from cnn_lesson.claims import CANNOT_TELL, FAILS, HOLDS, Evidence
from cnn_lesson.edition import load
from cnn_lesson.workflow.logs import FORMAT

CIFAR10, DOLLAR_STREET = load("cifar10"), load("dollar_street_10")


DATA_CLAIMS = ("sample_shape", "label_shape", "pixel_range", "labels", "features")


def rows_of(edition, facts: claims.Facts, kinds=None, data=None) -> list[dict]:
    """The rows of the edition's claims of `kinds` (all with None) on `facts`; only the data's
    (`data` True) or all but the data's (False)."""
    return [c.row(facts) for c in edition.CLAIMS if (kinds is None or isinstance(c, kinds))
            and (data is None or (c.claim in DATA_CLAIMS) == data)]


def training_claims(figures: dict, edition=CIFAR10) -> list[dict]:
    """The edition's claims about its trainings, on the runs behind each figure."""
    return rows_of(edition, claims.Facts(None, None, figures),
                   (claims.Curves, claims.Paired, claims.Printed, claims.SweepRange,
                    claims.SweepLowest, claims.GridBest, claims.GridScore))


def data_claims(shape, pixels, labels, edition=CIFAR10) -> list[dict]:
    facts = claims.Facts(claims.DataFacts(shape, shape[:1], pixels, labels), None, {})
    return rows_of(edition, facts, claims.Fact, data=True)


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
    rows = training_claims({"04_training_history_1": runs(curves)})
    assert claim(rows, "base_overfits")["verdict"] == verdict


@pytest.mark.parametrize("curves, verdict", [
    ([(FALLING, RISING_AFTER_LOW)] * 3, HOLDS),
    ([(FALLING, STEADY)] * 3, FAILS),
    ([(FALLING, RISING_AFTER_LOW)], CANNOT_TELL),
])
def test_extra_layer_overfits(curves, verdict):
    rows = training_claims({"04_training_history_2": runs(curves)})
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
    rows = training_claims(figures_with_gaps(*gaps, seeds))
    assert claim(rows, "dropout_smaller_gap")["verdict"] == verdict


@pytest.mark.parametrize("without, with_dropout, verdict", [
    ([5.0, 5.1, 5.0], [5.2, 5.1, 5.3], HOLDS), ([5.0, 5.0, 5.0], [7.0, 7.0, 7.0], FAILS)])
def test_dropout_does_not_affect_speed(without, with_dropout, verdict):
    def trained(dropout, seconds):
        return [Evidence(dropout, seed, history(FALLING, PLATEAU), METRICS, [9.0, s, s])
                for seed, s in enumerate(seconds, start=1)]
    rows = training_claims({"04_training_history_2": trained(0.0, without),
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
    rows = training_claims({"04_vary_dropout_rate": sweep(losses)})
    assert claim(rows, "sweep_lowest_rate")["verdict"] == lowest
    assert claim(rows, "sweep_range")["verdict"] == spread


def test_a_rate_within_one_sd_of_the_lowest_is_around_it():
    losses = {0.3: [1.24, 1.30, 1.27], 0.45: [1.28, 1.29, 1.27], 0.6: [1.5, 1.5, 1.5]}
    row = claim(training_claims({"04_vary_dropout_rate": sweep(losses)}),
                "sweep_lowest_rate")
    assert row["verdict"] == HOLDS and "lowest mean at 0.3" in row["measured"]


@pytest.mark.parametrize("values, verdict", [
    ([1.45, 1.47, 1.49], HOLDS), ([1.10, 1.12, 1.11], FAILS), ([1.4683], CANNOT_TELL)])
def test_the_printed_evaluate_line(values, verdict):
    dropout = [Evidence(0.8, seed, history(FALLING, PLATEAU),
                        {"test_loss": loss, "test_accuracy": 0.53}, [])
               for seed, loss in enumerate(values, start=1)]
    rows = training_claims({"04_training_history_3": dropout})
    assert claim(rows, "printed_loss")["verdict"] == verdict


def test_a_figure_the_config_does_not_make_cannot_tell():
    rows = training_claims({})
    assert {row["verdict"] for row in rows} == {CANNOT_TELL}
    assert all(row["measured"] == "not run by this config" for row in rows)


# ----------------------------------------------------------------- data, models, the logs

def test_the_data_claims():
    images = np.zeros((5000, 32, 32, 3), np.float32)
    images[0, 0, 0, 0] = 1.0
    rows = data_claims(images.shape, claims.stored_pixel_range(images), list(range(10)))
    assert {row["claim"]: row["verdict"] for row in rows} == {
        "sample_shape": HOLDS, "pixel_range": HOLDS, "labels": HOLDS, "features": HOLDS}
    rows = data_claims((200, 32, 32, 3), (0, 252), [0, 1, 2])
    assert [row["verdict"] for row in rows] == [FAILS, FAILS, FAILS, HOLDS]


def test_the_model_claims_find_the_episodes_one_wrong_total():
    from cnn_lesson import lesson

    facts = claims.Facts(None, lesson.model_facts(CIFAR10, lesson.parameter_table(CIFAR10)), {})
    rows = rows_of(CIFAR10, facts, claims.Fact, data=False)
    verdicts = {row["claim"]: row["verdict"] for row in rows}
    assert verdicts.pop("total_base") == FAILS  # the summary printed under create_nn()
    assert set(verdicts.values()) == {HOLDS}


def test_each_epoch_is_timed_as_data_and_its_line_keeps_its_wording():
    """The claim about speed reads each epoch's seconds from the training's timings, never from
    its log: the callback records them, and the terminal's line keeps its words."""
    from cnn_lesson.training import EpochLog

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter(FORMAT))
    progress = logging.getLogger(PROGRESS)
    progress.addHandler(handler)
    progress.setLevel(logging.INFO)
    timings = []
    try:
        epochs = EpochLog("train base/dropout-0.00/seed-1", 2, timings)
        for epoch in (0, 1):
            epochs.on_epoch_begin(epoch)
            epochs.on_epoch_end(epoch, {"loss": 1.0, "val_loss": 1.1})
    finally:
        progress.removeHandler(handler)
    assert [timing["epoch"] for timing in timings] == [1, 2]
    assert all(t["ended"] - t["started"] == pytest.approx(t["seconds"], abs=1e-5)
               for t in timings)
    assert "train base/dropout-0.00/seed-1  epoch 2/2  loss 1.0000  val_loss 1.1000" in \
        stream.getvalue()
    assert claims.epoch_seconds([t["seconds"] for t in timings]) == timings[1]["seconds"]


# ------------------------------------------------------------ the Dollar Street 10 edition

def grid(scores: dict[tuple[str, float], list[float]]) -> list[Evidence]:
    """A grid's trainings whose lowest validation loss is each given score."""
    return [Evidence(rate, seed, history([2.5, 2.4], [score + 0.2, score]), METRICS, [],
                     model) for (model, rate), values in scores.items()
            for seed, score in enumerate(values, start=1)]


@pytest.mark.parametrize("scores, best, score", [
    ({("grid_2", 0.8): [2.08, 2.09, 2.10], ("grid_1", 0.2): [2.10, 2.11, 2.12],
      ("grid_1", 0.5): [2.30, 2.31, 2.32]}, HOLDS, HOLDS),
    ({("grid_2", 0.8): [2.30, 2.31, 2.32], ("grid_1", 0.2): [2.08, 2.09, 2.10]}, FAILS, FAILS),
    ({("grid_2", 0.8): [2.086], ("grid_1", 0.2): [2.10]}, CANNOT_TELL, CANNOT_TELL),
])
def test_the_grid_searchs_best_point_and_its_score(scores, best, score):
    """keras_tuner's score of a trial is its best epoch's validation loss; the episode's best
    point (2 layers, 0.8) holds where it is lowest, or within one SD of the lowest."""
    rows = training_claims({"grid_search": grid(scores)}, DOLLAR_STREET)
    assert claim(rows, "grid_best")["verdict"] == best
    assert claim(rows, "grid_best_score")["verdict"] == score
    assert "n_layers" in claim(rows, "grid_best")["measured"]


@pytest.mark.parametrize("accuracies, verdict", [
    ([0.17, 0.18, 0.19], HOLDS), ([0.30, 0.31, 0.32], FAILS), ([0.18], CANNOT_TELL)])
def test_the_dense_models_18_percent(accuracies, verdict):
    dense = [Evidence(0.0, seed, history([2.0] * 4, [2.1] * 4), {"test_accuracy": value}, [])
             for seed, value in enumerate(accuracies, start=1)]
    rows = training_claims({"04_dense_model_training_history": dense}, DOLLAR_STREET)
    assert claim(rows, "dense_accuracy")["verdict"] == verdict


def test_the_dollar_street_base_overfits_a_lot():
    """Training accuracy up, validation accuracy flat, training loss down, validation loss
    rising after its lowest: all four readings at once."""
    rising = history(FALLING, RISING_AFTER_LOW, accuracy=np.linspace(0.2, 0.9, 8),
                     val_accuracy=[0.1, 0.2, 0.25, 0.26, 0.26, 0.25, 0.26, 0.25])
    base = [Evidence(0.0, seed, rising, METRICS, []) for seed in (1, 2, 3)]
    rows = training_claims({"04_training_history_1": base}, DOLLAR_STREET)
    assert claim(rows, "base_overfits")["verdict"] == HOLDS
    steady = [Evidence(0.0, seed, history(FALLING, FALLING), METRICS, []) for seed in (1, 2, 3)]
    rows = training_claims({"04_training_history_1": steady}, DOLLAR_STREET)
    assert claim(rows, "base_overfits")["verdict"] == FAILS


def test_the_dollar_street_data_claims_check_both_shapes():
    rows = data_claims((878, 64, 64, 3), (0, 255), list(range(10)), DOLLAR_STREET)
    assert {row["claim"]: row["verdict"] for row in rows} == {
        "sample_shape": HOLDS, "pixel_range": HOLDS, "label_shape": HOLDS, "labels": HOLDS,
        "features": HOLDS}
    rows = data_claims((40, 64, 64, 3), (0, 252), list(range(10)), DOLLAR_STREET)
    assert [row["verdict"] for row in rows] == [FAILS, FAILS, FAILS, HOLDS, HOLDS]


def test_every_dollar_street_model_claim_holds():
    """Its episode prints every summary as its code computes it."""
    from cnn_lesson import lesson

    table = lesson.parameter_table(DOLLAR_STREET)
    facts = claims.Facts(None, lesson.model_facts(DOLLAR_STREET, table), {})
    rows = rows_of(DOLLAR_STREET, facts, claims.Fact, data=False)
    assert {row["verdict"] for row in rows} == {HOLDS} and len(rows) == 12


def test_claim_ids_are_unique_in_each_edition():
    for edition in (CIFAR10, DOLLAR_STREET):
        ids = [c.claim for c in edition.CLAIMS]
        assert len(ids) == len(set(ids))


def test_a_curve_claim_shows_the_numbers_its_rule_compared_and_a_near_threshold():
    """base_overfits on the mean curve: how much the second half improved against the first, and
    the quarter it is held to; within a tenth of it, 'near the threshold'."""
    far = [Evidence(0.0, seed, history(FALLING, PLATEAU), METRICS, []) for seed in (1, 2)]
    measured = claim(training_claims({"04_training_history_1": far}, CIFAR10),
                     "base_overfits")["measured"]
    assert "val_loss: second half improved 0.0200 against 0.6500 in the first (stagnant at <= " \
           "0.1625, a quarter)" in measured and "near the threshold" not in measured
    # the second half improves 0.16 against 0.64 in the first: a quarter, the threshold itself
    edge = [2.0, 1.7, 1.5, 1.36, 1.30, 1.25, 1.22, 1.20]
    near = [Evidence(0.0, seed, history(FALLING, edge), METRICS, []) for seed in (1, 2)]
    measured = claim(training_claims({"04_training_history_1": near}, CIFAR10),
                     "base_overfits")["measured"]
    assert measured.endswith("; near the threshold")


@given(without=st.floats(0.02, 0.6), share=st.floats(0.2, 0.8))
def test_the_gap_claim_shows_the_gaps_and_the_half_they_are_held_to(without, share):
    """dropout_smaller_gap on the means: both gaps and the half line; 'near the threshold' exactly
    when the dropout model's gap lies within a tenth of that line."""
    figures = figures_with_gaps(without, share * without, 2)
    row = claim(training_claims(figures), "dropout_smaller_gap")
    ours, theirs = (claims.accuracy_gap(figures[figure][0].history)
                    for figure in ("04_training_history_3", "04_training_history_2"))
    line = claims.MUCH_SMALLER_SHARE * theirs
    assert f"({ours:.4f} against {theirs:.4f} (much smaller at <= {line:.4f}, half))" \
        in row["measured"]
    near = abs(ours - line) <= claims.NEAR_SHARE * abs(line)
    assert row["measured"].endswith("; near the threshold") == near


@given(ratio=st.floats(0.7, 1.3))
def test_the_speed_claim_shows_the_change_and_its_tolerance(ratio):
    """dropout_speed on the means: seconds per epoch of both, the change and the 10% it is held
    to; near the threshold within a tenth of those 10%."""
    def trained(dropout, seconds):
        return [Evidence(dropout, seed, history(FALLING, PLATEAU), METRICS, [9.0, seconds, seconds])
                for seed in (1, 2)]
    row = claim(training_claims({"04_training_history_2": trained(0.0, 4.0),
                                 "04_training_history_3": trained(0.8, 4.0 * ratio)}),
                "dropout_speed")
    change = 4.0 * ratio / 4.0 - 1
    assert f"against 4.000 s, {change:+.1%} (the same within 10%)" in row["measured"]
    near = abs(abs(change) - claims.SPEED_TOLERANCE) <= claims.NEAR_SHARE * claims.SPEED_TOLERANCE
    assert row["measured"].endswith("; near the threshold") == near
    assert row["verdict"] == (HOLDS if abs(change) <= claims.SPEED_TOLERANCE else FAILS)
