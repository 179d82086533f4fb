"""Rule lesson_history_loss: the loss figure of one of the episode's training histories, from
the table of its curves."""
from cnn_lesson import plots, results
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        history = results.read_history(smk.input.table)
        plots.history_figure(history, plots.HISTORY_PLOTS["loss"]).savefig(smk.output.loss,
                                                                          dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
