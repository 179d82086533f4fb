"""Rule train: fit one model at one dropout rate and seed; save it, its history and summary."""
from pathlib import Path

from cnn_lesson import use_backend
from cnn_lesson.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        # Imported here so that the backend's start-up messages land in the log too.
        use_backend(smk.params.backend)
        from cnn_lesson import data, training

        trained = training.fit(
            smk.wildcards.model, float(smk.wildcards.dropout), data.load(smk.input.data),
            epochs=smk.params.epochs, seed=int(smk.wildcards.seed), threads=smk.threads,
            batch_size=smk.params.batch_size, validation_split=smk.params.validation_split,
            validation_batch_size=smk.params.validation_batch_size,
            checkpoint=smk.params.checkpoint)
        trained.model.save(smk.output.model)
        trained.history.to_csv(smk.output.history, sep="\t")
        Path(smk.output.summary).write_text(trained.summary)
        training.Checkpoint.remove(smk.params.checkpoint)


main(snakemake)  # noqa: F821 - injected by Snakemake
