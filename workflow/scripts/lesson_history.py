"""Rule lesson_history: one of the episode's training-history figures (accuracy and loss)."""
import pandas as pd

from cnn_lesson import plots, tables
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        history = pd.concat([tables.read_history(path).assign(seed=seed)
                             for path, seed in zip(smk.input.histories, smk.params.seeds)])
        history.to_csv(smk.output.table, sep="\t")
        for name, metrics in plots.HISTORY_PLOTS.items():
            plots.history_figure(history, metrics).savefig(smk.output[name], dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
