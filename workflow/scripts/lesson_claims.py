"""Rule lesson_claims: every checkable statement of the episode, with what this run measured and
a verdict (claims.tsv, claims.md)."""
from pathlib import Path

import pandas as pd

from cnn_lesson import claims, tables
from cnn_lesson.edition import load
from cnn_lesson.workflow.logs import logging_to


def evidence(smk) -> dict[str, list[claims.Evidence]]:
    """What each run behind one of the episode's figures measured, by figure."""
    figures: dict[str, list[claims.Evidence]] = {}
    for run, history, metrics, log in zip(smk.params.runs, smk.input.histories,
                                          smk.input.metrics, smk.input.logs, strict=True):
        found = claims.Evidence(run["dropout"], run["seed"], tables.read_history(history),
                                tables.read_json(metrics),
                                claims.seconds_per_epoch(Path(log).read_text()), run["model"])
        figures.setdefault(run["figure"], []).append(found)
    return figures


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
        facts = claims.Facts(found, models, evidence(smk))
        table = claims.claims_table(edition.CLAIMS, facts)
        table.to_csv(smk.output.table, sep="\t", index=False)
        Path(smk.output.markdown).write_text(claims.markdown(table, edition.TITLE))


main(snakemake)  # noqa: F821 - injected by Snakemake
