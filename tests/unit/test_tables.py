"""Tables and plots: built from the files the rules write, drawn as the lesson draws them."""

import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure

from cnn_lesson import layout, plots, results, tables
from cnn_lesson.workflow import provenance
from helpers import ENVIRONMENT, history_table, write_training


def runs_from(tmp_path, runs, environments=None):
    """The trainings of `runs` written as the rules write them, read back through
    cnn_lesson.results; runs.tsv of them, and them."""
    found = [results.trained(write_training(
        tmp_path, run["model"], run["dropout"], run["seed"], run["epochs"], 1.0 + i,
        environments[i] if environments else None) / layout.PROVENANCE)
        for i, run in enumerate(runs)]
    sweeps = [(run["model"], run["dropout"]) for run in runs if run["sweep"]]
    return tables.runs_table(found, sweeps), found


RUNS = [{"model": "base", "dropout": 0.0, "seed": 1, "epochs": 3, "sweep": False},
        {"model": "extra_layer", "dropout": 0.6, "seed": 1, "epochs": 2, "sweep": True},
        {"model": "extra_layer", "dropout": 0.15, "seed": 1, "epochs": 2, "sweep": True}]


def test_runs_table_and_dropout_table(tmp_path):
    table, _ = runs_from(tmp_path, RUNS)
    assert list(table["epochs"]) == [3, 2, 2]
    assert list(table["test_loss"]) == [1.0, 2.0, 3.0]
    assert list(table.columns[:5]) == ["model", "dropout", "seed", "epochs", "parameters"]
    assert table["environment"].nunique() == 1 and "threads" not in table
    dropout = tables.dropout_table(table)
    assert list(dropout["dropout_rate"]) == [0.15, 0.6]
    assert list(dropout["test_loss"]) == [3.0, 2.0]


def test_runs_made_in_other_environments_say_so(tmp_path):
    other = {**ENVIRONMENT, "threads": 4, "tensorflow": "2.20.0"}
    seeds = [{**RUNS[1], "seed": seed} for seed in (1, 2, 3)]
    table, found = runs_from(tmp_path, seeds, [ENVIRONMENT, ENVIRONMENT, other])
    assert list(table["threads"]) == [1, 1, 4]
    assert list(table["tensorflow"]) == ["2.21.0", "2.21.0", "2.20.0"]
    assert "keras" not in table  # the same for every training: shown once, in environments.tsv
    assert tables.seed_means(table).loc[0, "environments"] == 2
    environments = tables.environments_table(found).set_index("field")
    assert list(environments.columns) == [provenance.environment_id(ENVIRONMENT),
                                          provenance.environment_id(other)]
    assert list(environments.loc["runs"]) == [2, 1]
    assert list(environments.loc["threads"]) == [1, 4]


def test_read_history_round_trip(tmp_path):
    history_table(4).to_csv(tmp_path / "h.tsv", sep="\t")
    assert results.read_history(tmp_path / "h.tsv").equals(history_table(4))


def test_a_one_epoch_history_shows_its_points():
    axes = plots.history_figure(history_table(1), ["loss", "val_loss"]).axes[0]
    drawn = [line for line in axes.get_lines() if len(line.get_xdata()) == 1]
    assert len(drawn) == 2 and all(line.get_marker() == "o" for line in drawn)


def test_history_figure_draws_one_line_per_metric():
    figure = plots.history_figure(history_table(5), ["accuracy", "val_accuracy"])
    assert isinstance(figure, Figure)
    axes = figure.axes[0]
    assert len(axes.get_lines()) >= 2
    assert [t.get_text() for t in axes.get_legend().get_texts()] == ["accuracy", "val_accuracy"]
    assert axes.get_xlabel() == "epochs" and axes.get_ylabel() == "metric"


def dropout_rows(seeds):
    return pd.DataFrame([{"model": "extra_layer", "dropout_rate": rate, "seed": seed,
                          "test_loss": 1 + rate + seed / 10, "test_accuracy": 0.5}
                         for rate in (0.15, 0.3, 0.45) for seed in seeds])


def test_dropout_figure_one_seed_is_a_plain_line():
    axes = plots.dropout_figure(dropout_rows([1])).axes[0]
    assert not any(isinstance(c, PolyCollection) for c in axes.collections)
    x, y = axes.get_lines()[0].get_data()
    assert list(x) == [0.15, 0.3, 0.45]


def test_the_dropout_figure_speaks_the_episodes_words_where_they_differ():
    """The Dollar Street 10 episode's curve says val_loss (its validation is the test split)."""
    assert plots.dropout_figure(dropout_rows([1])).axes[0].get_ylabel() == "test_loss"
    assert plots.dropout_figure(dropout_rows([1]), label="val_loss").axes[0].get_ylabel() == \
        "val_loss"
    from cnn_lesson.edition import load

    assert load("dollar_street_10").FIGURES["04_vary_dropout_rate"].label == "val_loss"
    assert load("cifar10").FIGURES["04_vary_dropout_rate"].label is None


def test_dropout_figure_several_seeds_shows_mean_and_band():
    axes = plots.dropout_figure(dropout_rows([1, 2, 3])).axes[0]
    assert any(isinstance(c, PolyCollection) for c in axes.collections)
    _, y = axes.get_lines()[0].get_data()
    assert list(y) == pytest.approx([1.35, 1.5, 1.65])


def test_dropout_figure_without_a_sweep_says_so():
    figure = plots.dropout_figure(dropout_rows([1]).iloc[0:0])
    assert "no dropout sweep" in figure.axes[0].texts[0].get_text()


def test_history_figure_with_several_seeds_draws_a_band():
    long = pd.concat([history_table(4, offset=seed / 10).assign(seed=seed) for seed in (1, 2, 3)])
    axes = plots.history_figure(long, ["accuracy", "val_accuracy"]).axes[0]
    assert any(isinstance(c, PolyCollection) for c in axes.collections)
    _, y = axes.get_lines()[0].get_data()
    assert y[0] == pytest.approx(0.5)


def sweep(rates, seeds, val_best, test_best):
    return pd.DataFrame([{"model": "extra_layer", "dropout_rate": rate, "seed": seed,
                          "val_loss": 1 + abs(rate - val_best) + seed / 100,
                          "test_loss": 1 + abs(rate - test_best) + seed / 100,
                          "test_accuracy": 0.5, "environment": "e1"}
                         for rate in rates for seed in seeds])


def test_runs_summary_has_mean_and_sd_over_seeds():
    runs = pd.DataFrame([{"model": "base", "dropout": 0.0, "epochs": 2, "parameters": 1,
                          "seed": seed, "loss": seed, "accuracy": 0.5, "val_loss": 1.0,
                          "val_accuracy": 0.5, "test_loss": 2.0 * seed, "test_accuracy": 0.4,
                          "environment": "e1"} for seed in (1, 2, 3)])
    summary = tables.seed_means(runs)
    assert len(summary) == 1 and summary.loc[0, "seeds"] == 3
    assert summary.loc[0, "test_loss_mean"] == 4.0 and summary.loc[0, "test_loss_sd"] == 2.0
    assert summary.loc[0, "environments"] == 1


def test_rate_is_chosen_on_validation_loss_and_reported_with_its_test_loss():
    chosen = tables.chosen_rates(sweep([0.15, 0.3, 0.45], [1, 2], val_best=0.3, test_best=0.45),
                                 validation_split=0.1)
    row = chosen.iloc[0]
    assert row["chosen_rate"] == 0.3 and row["lowest_test_loss_rate"] == 0.45
    assert row["test_loss_mean"] == pytest.approx(1.165) and row["seeds"] == 2
    assert "validation loss on the last 0.1" in row["chosen_on"]
    lesson_way = tables.chosen_rates(sweep([0.15, 0.3], [1], 0.3, 0.3), validation_split=0)
    assert "the lesson's way" in lesson_way.iloc[0]["chosen_on"]


def sweep_with_spread(seeds):
    """The issue's sweep: 0.45 and 0.6 are 1.280 +- 0.031 and 1.280 +- 0.057, 0.75 is far."""
    means = {0.15: (1.35, 0.01), 0.45: (1.2801, 0.031), 0.6: (1.2800, 0.057), 0.75: (1.45, 0.02)}
    offsets = [-1, 0, 1][:len(seeds)]
    return pd.DataFrame([{"model": "extra_layer", "dropout_rate": rate, "seed": seed,
                          "val_loss": mean + offset * sd, "test_loss": mean,
                          "test_accuracy": 0.5, "environment": "e1"}
                         for rate, (mean, sd) in means.items()
                         for seed, offset in zip(seeds, offsets)])


def test_rates_within_one_sd_of_the_chosen_one_are_named():
    chosen = tables.chosen_rates(sweep_with_spread([1, 2, 3]), validation_split=0.1).iloc[0]
    assert chosen["chosen_rate"] == 0.6 and chosen["within_one_sd"] == "0.45"
    assert chosen["val_loss_sd"] == pytest.approx(0.057)


def test_with_one_seed_no_rate_is_called_a_tie():
    chosen = tables.chosen_rates(sweep_with_spread([1]), validation_split=0.1).iloc[0]
    assert chosen["within_one_sd"] == "" and pd.isna(chosen["val_loss_sd"])


def test_the_dropout_plot_names_the_choice_and_its_ties():
    sweep = sweep_with_spread([1, 2, 3])
    chosen = tables.chosen_rates(sweep, validation_split=0.1)
    title = plots.dropout_figure(sweep, chosen).axes[0].get_title()
    assert title == "extra_layer: 0.6 chosen; 0.45 within one SD"
