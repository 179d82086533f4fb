"""What a run prints on the terminal when it ends (cnn_lesson.workflow.terminal)."""

import pandas as pd

from cnn_lesson.workflow import terminal


def test_a_tie_is_said_in_words():
    row = pd.Series({"model": "extra_layer", "chosen_rate": 0.6, "chosen_on": "validation loss",
                     "seeds": 3, "test_loss_mean": 1.28, "test_loss_sd": 0.05,
                     "within_one_sd": "0.45"})
    line = terminal.chosen_line(row)
    assert "0.6, on validation loss" in line and "0.45 cannot be told apart from it" in line
