"""Rule lesson_convolution: the horizontal-edge kernel on the example matrix and on a photograph."""
import pandas as pd

from cnn_lesson import convolution as conv
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        result = conv.convolve(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE)
        conv.matrix_table(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE, result) \
            .to_csv(smk.output.matrix_table, sep="\t", index=False)
        conv.matrix_figure(conv.EXAMPLE_MATRIX, conv.HORIZONTAL_EDGE, result) \
            .savefig(smk.output.matrix, dpi=100)
        photo = conv.sample_photograph()
        edges = conv.convolve(photo, conv.HORIZONTAL_EDGE)
        pd.DataFrame(edges).to_csv(smk.output.image_table, sep="\t", float_format="%.4f")
        conv.image_figure(photo, conv.HORIZONTAL_EDGE, edges).savefig(smk.output.image, dpi=100)


main(snakemake)  # noqa: F821 - injected by Snakemake
