"""Rule lesson_claims: every checkable statement of the episode, with what this run measured and
a verdict (claims.tsv, claims.md)."""
from pathlib import Path

import pandas as pd

from cnn_lesson import claims, results
from cnn_lesson.edition import load
from cnn_lesson.workflow.logs import logging_to


def evidence(records: list[str], figures: dict) -> dict[str, list[claims.Evidence]]:
    """What each training behind one of the episode's figures measured, by figure: its
    training's point (model, rate) names the figure (`figures`: figure -> its points)."""
    figure_of = {(model, float(rate)): figure for figure, found in figures.items()
                 for model, rate in found}
    by_figure: dict[str, list[claims.Evidence]] = {}
    for record in records:
        found = results.trained(record)
        by_figure.setdefault(figure_of[found.point], []).append(claims.Evidence(
            found.dropout, found.seed, found.history(), found.metrics(), found.epoch_seconds(),
            found.model))
    return by_figure


def main(smk):
    with logging_to(smk.log[0]):
        # Imported here so that the backend's start-up messages land in the log too.
        from cnn_lesson import data, lesson

        edition = load(smk.params.edition)
        dataset = data.load(smk.input.data)
        found = claims.DataFacts(dataset.x_train.shape, dataset.y_train.shape,
                                 claims.stored_pixel_range(dataset.x_train),
                                 sorted(set(dataset.y_train.tolist())))
        models = lesson.model_facts(edition, pd.read_csv(smk.input.parameters, sep="\t"))
        facts = claims.Facts(found, models, evidence(smk.input.records, smk.params.figures))
        table = claims.claims_table(edition.CLAIMS, facts)
        table.to_csv(smk.output.table, sep="\t", index=False)
        Path(smk.output.markdown).write_text(claims.markdown(table, edition.TITLE))


main(snakemake)  # noqa: F821 - injected by Snakemake
