"""Rule plot_history: accuracy and loss against epochs for one run, as the lesson plots them."""
from cnn_lesson import plots, results
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        history = results.read_history(smk.input.history)
        for name, metrics in plots.HISTORY_PLOTS.items():
            plots.history_figure(history, metrics).savefig(smk.output[name], dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
