"""Rule train: fit one model at one dropout rate and seed; save it, its history, its summary, its
timings and the record of what made it."""
import json
import logging
import time
from pathlib import Path

from cnn_lesson import use_backend
from cnn_lesson.settings import Training
from cnn_lesson.workflow.logs import end_process, logging_to, process_seconds

log = logging.getLogger("cnn_lesson")


def main(smk):
    process_started = time.time() - process_seconds()
    with logging_to(smk.log[0]):
        settings = Training(**smk.params.settings)
        # Imported here so that the backend's start-up messages land in the log too.
        use_backend(settings.backend)
        import keras

        from cnn_lesson import data, training
        from cnn_lesson.edition import load
        from cnn_lesson.workflow import integrity, provenance, sources

        dataset = data.load(smk.input.data, load(settings.edition).DATA.image_shape)
        trained = training.fit(settings, dataset, threads=smk.threads,
                               checkpoint=smk.params.checkpoint)
        trained.model.save(smk.output.model)
        trained.history.to_csv(smk.output.history, sep="\t")
        Path(smk.output.summary).write_text(trained.summary)
        scripts = Path(smk.scriptdir).resolve()  # may be given as workflow/rules/../scripts
        made_by = provenance.provenance(settings.as_dict(), keras.backend.backend(), smk.threads,
                                        sources.code_files(scripts / "train.py"),
                                        scripts.parents[1],
                                        provenance.data_checked(smk.input.record))
        Path(smk.output.provenance).write_text(json.dumps(made_by, indent=2) + "\n")
        timings = training.timings(trained, smk.threads, process_started, time.time())
        Path(smk.output.timings).write_text(json.dumps(timings, indent=2) + "\n")
        # Last: what the files above are, so that a later change to one of them is caught
        checksums = integrity.training_checksums(Path(smk.output.model).parent)
        Path(smk.output.checksums).write_text(json.dumps(checksums, indent=2) + "\n")
        training.Checkpoint.remove(smk.params.checkpoint)
        log.info("saved the model, its history and records")
    end_process()


main(snakemake)  # noqa: F821 - injected by Snakemake
