"""Rule lesson_dropout: the episode's test loss against dropout rate (04_vary_dropout_rate)."""
from cnn_lesson import plots, tables
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        runs = tables.runs_table(smk.params.runs, smk.input.histories, smk.input.metrics,
                                 smk.input.provenances)
        dropout = tables.dropout_table(runs)
        dropout.to_csv(smk.output.table, sep="\t", index=False)
        plots.dropout_figure(dropout).savefig(smk.output.figure, dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
