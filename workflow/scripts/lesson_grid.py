"""Rule lesson_grid: the episode's grid search, one training per point, scored as keras_tuner
scores a trial, best first (grid_search.tsv), and as its `results_summary()` prints it (.md)."""
from pathlib import Path

from cnn_lesson import results, tables
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        trainings = [results.trained(record) for record in smk.input.records]
        table = tables.grid_table(trainings, smk.params.labels)
        table.to_csv(smk.output.table, sep="\t", index=False)
        Path(smk.output.markdown).write_text(tables.grid_summary(table))


main(snakemake)  # noqa: F821 - injected by Snakemake
