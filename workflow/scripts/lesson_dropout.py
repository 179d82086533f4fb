"""Rule lesson_dropout: the episode's test loss against dropout rate (04_vary_dropout_rate)."""
from cnn_lesson import plots, results, tables
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        trainings = [results.trained(record) for record in smk.input.records]
        runs = tables.runs_table(trainings, sweeps=[found.point for found in trainings])
        dropout = tables.dropout_table(runs)
        dropout.to_csv(smk.output.table, sep="\t", index=False)
        plots.dropout_figure(dropout, label=smk.params.label).savefig(smk.output.figure,
                                                                        dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
