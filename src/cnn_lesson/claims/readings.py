"""The qualitative readings of the episode's words (rules.READINGS), computed on a training's
curves or numbers, each noting what it compared while a claim is decided on the mean."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from contextlib import contextmanager

import pandas as pd

from cnn_lesson.claims.rules import (INCREASE_SHARE, MIN_EPOCHS, MUCH_SMALLER_SHARE, NEAR_SHARE,
                                     SPEED_TOLERANCE, STAGNATION_SHARE)

# What the readings compared while a claim is decided on the mean curve (see `noting`)
_noted: list[tuple[str, bool]] | None = None


@contextmanager
def noting() -> Iterator[list[tuple[str, bool]]]:
    """Collect, while in it, each reading's numbers and threshold in words, and whether the
    number came within NEAR_SHARE of its threshold: (text, near)."""
    global _noted
    saved, _noted = _noted, []
    try:
        yield _noted
    finally:
        _noted = saved


def _note(text: str, value: float | None = None, threshold: float = 0.0) -> None:
    """Note `text`; near where `value` lies within NEAR_SHARE of a `threshold` (one of 0 has no
    tenth: never near)."""
    if _noted is not None:
        near = value is not None and threshold != 0 and \
            abs(value - threshold) <= NEAR_SHARE * abs(threshold)
        _noted.append((text, near))


def stagnates(curve: pd.Series, lower_is_better: bool) -> bool | None:
    """Reading `stagnates`; None with fewer than MIN_EPOCHS epochs."""
    values = curve.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    sign = 1.0 if lower_is_better else -1.0
    middle = len(values) // 2
    first = sign * (values[0] - values[middle - 1])
    second = sign * (values[middle - 1] - values[-1])
    threshold = STAGNATION_SHARE * max(first, 0.0)
    _note(f"{curve.name}: second half improved {second:.4f} against {first:.4f} in the first "
          f"(stagnant at <= {threshold:.4f}, a quarter)",
          second / first if first > 0 else None, STAGNATION_SHARE)
    return bool(second <= threshold)


def starts_to_increase(val_loss: pd.Series) -> bool | None:
    values = val_loss.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    threshold = values.min() * (1 + INCREASE_SHARE)
    _note(f"{val_loss.name}: last {values[-1]:.4f}, lowest {values.min():.4f} (increasing "
          f"above {threshold:.4f}, +1%)", values[-1] / values.min() - 1, INCREASE_SHARE)
    return bool(values[-1] > threshold)


def continues_to_decrease(curve: pd.Series) -> bool | None:
    """Reading `continues to decrease`: its last value below its value half-way; None with fewer
    than MIN_EPOCHS epochs."""
    ends = _last_and_half_way(curve)
    return None if ends is None else bool(ends[0] < ends[1])


def continues_to_increase(curve: pd.Series) -> bool | None:
    """Reading `continues to increase`: its last value above its value half-way."""
    ends = _last_and_half_way(curve)
    return None if ends is None else bool(ends[0] > ends[1])


def _last_and_half_way(curve: pd.Series) -> tuple[float, float] | None:
    """The curve's last value and its value half-way, noted; None with fewer than MIN_EPOCHS."""
    values = curve.to_numpy(dtype=float)
    if len(values) < MIN_EPOCHS:
        return None
    half_way = values[len(values) // 2 - 1]
    _note(f"{curve.name}: last {values[-1]:.4f} against {half_way:.4f} half-way")
    return values[-1], half_way


def much_smaller(ours: float, theirs: float) -> bool:
    """Reading `much smaller`: ours at most MUCH_SMALLER_SHARE of theirs."""
    threshold = MUCH_SMALLER_SHARE * theirs
    _note(f"{ours:.4f} against {theirs:.4f} (much smaller at <= {threshold:.4f}, half)",
          ours, threshold)
    return ours <= threshold


def higher(ours: float, theirs: float) -> bool:
    """Reading `higher`: ours above theirs."""
    _note(f"{ours:.4f} against {theirs:.4f} (higher above it)", ours, theirs)
    return ours > theirs


def same_speed(ours: float, theirs: float) -> bool:
    """Reading `speed`: ours within SPEED_TOLERANCE of theirs."""
    change = ours / theirs - 1
    _note(f"{ours:.3f} s against {theirs:.3f} s, {change:+.1%} (the same within "
          f"{SPEED_TOLERANCE:.0%})", abs(change), SPEED_TOLERANCE)
    return abs(change) <= SPEED_TOLERANCE


def all_of(*values: bool | None) -> bool | None:
    """Whether all readings hold; None where one cannot be decided."""
    return None if any(value is None for value in values) else all(values)


def accuracy_gap(history: pd.DataFrame) -> float:
    """Training accuracy minus validation accuracy at the last epoch."""
    last = history.iloc[-1]
    return float(last["accuracy"] - last["val_accuracy"])


def epoch_seconds(seconds: list[float]) -> float | None:
    """The median seconds per epoch, the first (tracing) left out where there are others."""
    later = seconds[1:] or seconds
    return float(statistics.median(later)) if later else None


def mean_history(histories: list[pd.DataFrame]) -> pd.DataFrame:
    """The mean over seeds of each metric at each epoch."""
    return pd.concat(histories).groupby(level=0).mean()
