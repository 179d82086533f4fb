"""Rule lesson_history: one of the episode's training-history figures (accuracy), and the table
of its curves, from which its loss figure is drawn where the episode has one."""
import pandas as pd

from cnn_lesson import plots, results
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        trainings = [results.trained(record) for record in smk.input.records]
        history = pd.concat([found.history().assign(seed=found.seed) for found in trainings])
        history.to_csv(smk.output.table, sep="\t")
        plots.history_figure(history, plots.HISTORY_PLOTS["accuracy"]) \
            .savefig(smk.output.accuracy, dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
