"""Rule evaluate: test loss and accuracy of one saved model, as JSON."""
import json
from pathlib import Path

from cnn_lesson import evaluation, use_backend
from cnn_lesson.logs import logging_to


def job_metrics(smk) -> dict:
    params = smk.params
    if params.from_history:  # the last epoch validated on the test split at this batch size
        return evaluation.from_history(smk.input.history, smk.input.model, smk.input.data,
                                       params.batch_size)
    use_backend(params.backend)
    from cnn_lesson import data

    return evaluation.by_running(smk.input.model, data.load(smk.input.data), threads=smk.threads,
                                 batch_size=params.batch_size)


def main(smk):
    with logging_to(smk.log[0]):
        metrics = job_metrics(smk)
        Path(smk.output.metrics).write_text(json.dumps(metrics, indent=2) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
