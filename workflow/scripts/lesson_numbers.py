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
        # each summary to the output named as it (summaries/<name>.txt)
        paths = {Path(path).stem: Path(path) for path in smk.output.summaries}
        for name, text in lesson.model_summaries(edition).items():
            paths[name].write_text(text)


main(snakemake)  # noqa: F821 - injected by Snakemake
