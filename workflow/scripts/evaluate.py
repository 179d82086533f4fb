"""Rule evaluate: test loss and accuracy of one saved model, as JSON."""
import json
from pathlib import Path

from cnn_lesson import evaluation, use_backend
from cnn_lesson.settings import Training
from cnn_lesson.workflow.logs import end_process, logging_to


def job_metrics(smk) -> dict:
    settings = Training(**smk.params.settings)
    # With the lesson's validation (the test split, same batch size) the history already holds
    # these numbers, and the job reads them without starting Keras or a GPU.
    if evaluation.history_holds_test_metrics(settings.validation_split,
                                             settings.validation_batch_size,
                                             settings.batch_size):
        return evaluation.from_history(smk.input.history, smk.input.model, smk.input.data,
                                       settings.batch_size)
    use_backend(settings.backend)
    from cnn_lesson import data

    return evaluation.by_running(smk.input.model, data.load(smk.input.data), threads=smk.threads,
                                 batch_size=settings.batch_size)


def main(smk):
    with logging_to(smk.log[0]):
        metrics = job_metrics(smk)
        Path(smk.output.metrics).write_text(json.dumps(metrics, indent=2) + "\n")
    end_process()


main(snakemake)  # noqa: F821 - injected by Snakemake
