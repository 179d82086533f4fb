"""The rules that decide every claim's verdict, and their thresholds: read this page first.

Every verdict is one of `holds`, `does not hold` and `cannot tell`. The rules:

- A fact of the data or of a model (a shape, a parameter count) holds when the measured value
  equals the episode's (`equal`).
- A number the episode prints from a training holds when it lies within the seeds' range
  widened by their standard deviation on each side; with one seed there is no spread, so
  `cannot tell` (`printed`).
- A statement about trainings (a curve stagnates, one model's gap is smaller than another's)
  holds when it holds for the mean over seeds (the mean curve, the mean of the numbers) and for
  most seeds (more than half); it does not hold when it fails for the mean and for most seeds;
  otherwise, and with one seed, `cannot tell`. Two trainings are compared seed by seed
  (`seeds`).

Qualitative words get a numeric reading, in READINGS, with the thresholds below; the readings
themselves are computed in readings.py, the kinds of claim in facts.py and trainings.py.
"""

from __future__ import annotations

import statistics

HOLDS, FAILS, CANNOT_TELL = "holds", "does not hold", "cannot tell"

RULES = {
    "equal": "holds when the measured value equals the episode's",
    "printed": "holds when the episode's number lies within the seeds' range widened by one "
               "standard deviation on each side; one seed: cannot tell",
    "seeds": "holds for the mean over seeds and for most seeds; does not hold when it fails for "
             "both; else, or with one seed, cannot tell",
}
# The numeric reading of each qualitative word of the episode.
READINGS = {
    "stagnates": "a curve stagnates when its second half of the epochs improves it by at most a "
                 "quarter of what its first half did (or worsens it); needs 4 epochs",
    "increases": "the validation loss starts to increase when its last epoch is above its "
                 "lowest by more than 1%",
    "decreases": "the training loss continues to decrease when it is lower at the last epoch "
                 "than half-way",
    "much smaller": "much smaller: at most half",
    "higher": "higher: the last epoch's validation accuracy is above that without dropout",
    "speed": "does not affect training speed: the median seconds per epoch (the first, which "
             "traces the model, left out; from the trainings' timings.json) within 10% of "
             "those without dropout; trainings that shared the machine with different jobs "
             "compare less well",
    "around": "around the lowest: the rate with the lowest mean test loss, or one whose mean "
              "lies within one standard deviation of it",
    "best": "the best: the grid point with the lowest mean score (its training's lowest "
            "validation loss, as keras_tuner scores a trial), or one whose mean lies within "
            "one standard deviation of it",
    "keeps increasing": "the training accuracy increases when it is higher at the last epoch "
                        "than half-way",
}
STAGNATION_SHARE = 0.25  # stagnates: the second half improves by at most this share of the first
INCREASE_SHARE = 0.01  # starts to increase: the last epoch above the lowest by more than this
MUCH_SMALLER_SHARE = 0.5  # much smaller: at most this share
SPEED_TOLERANCE = 0.10  # the same speed: within this share
MIN_EPOCHS = 4  # a curve's reading needs this many epochs
NEAR_SHARE = 0.1  # a verdict decided within this share of its threshold is near it


def verdict_equal(measured, expected) -> str:
    """Rule `equal`."""
    return HOLDS if measured == expected else FAILS


def verdict_printed(printed: float, values: list[float]) -> str:
    """The episode's number against the seeds' values (rule `printed`)."""
    if len(values) < 2:
        return CANNOT_TELL
    spread = statistics.stdev(values)
    return HOLDS if min(values) - spread <= printed <= max(values) + spread else FAILS


def verdict_over_seeds(per_seed: list[bool | None], on_mean: bool | None) -> str:
    """A statement about trainings, from its truth for each seed and for the mean (rule
    `seeds`); None where it cannot be decided (too few epochs)."""
    decided = [value for value in per_seed if value is not None]
    if len(per_seed) < 2 or on_mean is None or len(decided) < len(per_seed):
        return CANNOT_TELL
    most = len(per_seed) / 2
    if on_mean and sum(decided) > most:
        return HOLDS
    if not on_mean and sum(not value for value in decided) > most:
        return FAILS
    return CANNOT_TELL
