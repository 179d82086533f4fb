"""Rule evaluate: test loss and accuracy of one saved model, as JSON."""
import json
from pathlib import Path

from cnn_lesson import use_backend
from cnn_lesson.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        # Imported here so that the backend's start-up messages land in the log too.
        use_backend(smk.params.backend)
        from cnn_lesson import data, evaluation

        metrics = evaluation.evaluate(smk.input.model, data.load(smk.input.data),
                                      threads=smk.threads, batch_size=smk.params.batch_size)
        Path(smk.output.metrics).write_text(json.dumps(metrics, indent=2) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
