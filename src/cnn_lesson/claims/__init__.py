"""The episode's claims about its data, models and results, each checked against what a run
measured, with a verdict decided by a rule written down once.

Read `rules.py` first: the verdicts, the rules and the thresholds of the qualitative readings, on
one page. Then `readings.py` (the readings computed), `evidence.py` (what a claim is checked
against), `facts.py` and `trainings.py` (the kinds of claim an edition lists) and `table.py`
(claims.tsv and claims.md). An edition writes `from cnn_lesson import claims as c` and lists
`c.Curves(...)`, `c.total(...)` and so on: every name is here.
"""
# ruff: noqa: F401 - the names an edition reads from here

from cnn_lesson.claims.evidence import DataFacts, Evidence, Facts, ModelFacts, stored_pixel_range
from cnn_lesson.claims.facts import (Fact, dropout_keeps_shape, features, fewer_parameters,
                                     flatten_input, image_shape, label_shape, label_values,
                                     last_dense_most, pixel_range, printed_total, total)
from cnn_lesson.claims.readings import (accuracy_gap, all_of, continues_to_decrease,
                                        continues_to_increase, epoch_seconds, higher,
                                        mean_history, much_smaller, noting, same_speed,
                                        stagnates, starts_to_increase)
from cnn_lesson.claims.rules import (CANNOT_TELL, FAILS, HOLDS, INCREASE_SHARE, MIN_EPOCHS,
                                     MUCH_SMALLER_SHARE, NEAR_SHARE, READINGS, RULES,
                                     SPEED_TOLERANCE, STAGNATION_SHARE, verdict_equal,
                                     verdict_over_seeds, verdict_printed)
from cnn_lesson.claims.table import COLUMNS, claims_table, markdown, verdict_counts
from cnn_lesson.claims.trainings import (Curves, GridBest, GridScore, Paired, Printed,
                                         SweepLowest, SweepRange, grid_scores, sweep_rates)
