"""Rule lesson_evaluate_line: the dropout model's `evaluate` line, in the episode's format."""
from pathlib import Path

from cnn_lesson import results
from cnn_lesson.evaluation import evaluate_line
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        lines = [evaluate_line(results.trained(record).metrics()) for record in smk.input.records]
        Path(smk.output.line).write_text("\n".join(lines) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
