"""Rule lesson_history: one of the episode's training-history figures (accuracy), and the table
of its curves, from which its loss figure is drawn where the episode has one."""
import pandas as pd

from cnn_lesson import plots, tables
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        history = pd.concat([tables.read_history(path).assign(seed=seed)
                             for path, seed in zip(smk.input.histories, smk.params.seeds)])
        history.to_csv(smk.output.table, sep="\t")
        plots.history_figure(history, plots.HISTORY_PLOTS["accuracy"]) \
            .savefig(smk.output.accuracy, dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
