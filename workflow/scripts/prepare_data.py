"""Rule prepare_data: the lesson's subsample and the test split, scaled to [0, 1], as .npz."""
from cnn_lesson import data
from cnn_lesson.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        data.save(data.prepare(smk.input.archive, smk.params.n_train), smk.output.npz)


main(snakemake)  # noqa: F821 - injected by Snakemake
