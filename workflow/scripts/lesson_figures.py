"""Rule lesson_figures: a line per regenerated figure in the episode's Markdown, its alt text
computed from the figure's table (figures.md)."""
from pathlib import Path

import pandas as pd

from cnn_lesson import alt_text
from cnn_lesson.workflow.logs import logging_to


def read(path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t")


def lines(smk) -> list[str]:
    """The figures' lines, in the episode's order; each history figure's table is the input
    named as the figure."""
    sample = alt_text.sample_images(read(smk.input.sample), smk.params.data_set,
                                    smk.params.classes)
    made = [(smk.params.sample, sample),
            ("04_conv_matrix", alt_text.convolution_matrix(read(smk.input.matrix))),
            ("04_conv_image",
             alt_text.convolution_image(pd.read_csv(smk.input.image, sep="\t", index_col=0)))]
    for name, (shown, loss) in smk.params.histories.items():
        history = read(smk.input[name])
        made.append((name, alt_text.training_history(history, "accuracy", shown)))
        if loss:
            made.append((loss, alt_text.training_history(history, "loss", shown)))
    made += [(smk.params.sweep, alt_text.dropout_sweep(read(path))) for path in smk.input.sweep]
    return [alt_text.markdown_line(name, alt) for name, alt in made]


def main(smk):
    with logging_to(smk.log[0]):
        Path(smk.output.markdown).write_text("\n\n".join(lines(smk)) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
