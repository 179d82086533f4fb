"""Rule lesson_figures: a line per regenerated figure in the episode's Markdown, its alt text
computed from the figure's table (figures.md)."""
from pathlib import Path

import pandas as pd

from cnn_lesson import alt_text
from cnn_lesson.workflow.logs import logging_to


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t")


def lines(smk) -> list[str]:
    """The figures' lines, in the episode's order."""
    made = [("04_cifar10", alt_text.sample_images(read(smk.input.sample))),
            ("04_conv_matrix", alt_text.convolution_matrix(read(smk.input.matrix))),
            ("04_conv_image",
             alt_text.convolution_image(pd.read_csv(smk.input.image, sep="\t", index_col=0)))]
    for path, (n, run) in zip(smk.input.histories, smk.params.histories.items(), strict=True):
        history = read(path)
        made += [(f"04_training_history_{n}", alt_text.training_history(history, "accuracy", run)),
                 (f"04_training_history_loss_{n}", alt_text.training_history(history, "loss", run))]
    made += [("04_vary_dropout_rate", alt_text.dropout_sweep(read(path)))
             for path in smk.input.sweep]
    return [alt_text.markdown_line(name, alt) for name, alt in made]


def main(smk):
    with logging_to(smk.log[0]):
        Path(smk.output.markdown).write_text("\n\n".join(lines(smk)) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
