"""Rule aggregate: every training in one table, its mean over seeds, and the dropout sweeps."""
from cnn_lesson import plots, results, tables
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        trainings = [results.trained(record) for record in smk.input.records]
        runs = tables.runs_table(trainings, smk.params.sweeps)
        runs.to_csv(smk.output.runs, sep="\t", index=False)
        tables.environments_table(trainings) \
            .to_csv(smk.output.environments, sep="\t", index=False)
        tables.seed_means(runs).to_csv(smk.output.summary, sep="\t", index=False)
        dropout = tables.dropout_table(runs)
        dropout.to_csv(smk.output.dropout, sep="\t", index=False)
        chosen = tables.chosen_rates(dropout, smk.params.validation_split)
        chosen.to_csv(smk.output.chosen, sep="\t", index=False)
        plots.dropout_figure(dropout, chosen).savefig(smk.output.plot, dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
