"""Rule lesson_numbers: every parameter count of the episode next to what it prints; summaries."""
from pathlib import Path

from cnn_lesson.edition import load
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        # Imported here so that the backend's start-up messages land in the log too.
        from cnn_lesson import lesson

        edition = load(smk.params.edition)
        table = lesson.parameter_table(edition)
        table.to_csv(smk.output.parameters, sep="\t", index=False)
        Path(smk.output.markdown).write_text(lesson.markdown_table(table))
        summaries = lesson.model_summaries(edition).values()
        for path, text in zip(smk.output.summaries, summaries, strict=True):
            Path(path).write_text(text)


main(snakemake)  # noqa: F821 - injected by Snakemake
