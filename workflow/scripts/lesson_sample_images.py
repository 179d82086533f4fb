"""Rule lesson_sample_images: the first 25 training images with their classes (04_cifar10,
04_dollar_street_10)."""
from cnn_lesson import data, plots
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        dataset = data.load(smk.input.data)
        table = plots.sample_table(dataset.y_train, dataset.class_names)
        table.to_csv(smk.output.table, sep="\t", index=False)
        plots.sample_figure(dataset.x_train, table).savefig(smk.output.figure, dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
