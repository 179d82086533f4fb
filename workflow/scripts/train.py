"""Rule train: fit one model at one dropout rate and seed; save it, its history, its summary and
the record of what made it."""
import json
from pathlib import Path

from cnn_lesson import use_backend
from cnn_lesson.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        # Imported here so that the backend's start-up messages land in the log too.
        use_backend(smk.params.backend)
        import keras

        from cnn_lesson import data, integrity, provenance, sources, training

        run = {"model": smk.wildcards.model, "dropout": float(smk.wildcards.dropout),
               "seed": int(smk.wildcards.seed), "epochs": smk.params.epochs,
               "batch_size": smk.params.batch_size,
               "validation_split": smk.params.validation_split,
               "validation_batch_size": smk.params.validation_batch_size,
               "data": smk.params.data}
        trained = training.fit(
            run["model"], run["dropout"], data.load(smk.input.data), epochs=run["epochs"],
            seed=run["seed"], threads=smk.threads, batch_size=run["batch_size"],
            validation_split=run["validation_split"],
            validation_batch_size=run["validation_batch_size"], checkpoint=smk.params.checkpoint)
        trained.model.save(smk.output.model)
        trained.history.to_csv(smk.output.history, sep="\t")
        Path(smk.output.summary).write_text(trained.summary)
        scripts = Path(smk.scriptdir).resolve()  # may be given as workflow/rules/../scripts
        made_by = provenance.record(run, keras.backend.backend(), smk.threads,
                                    sources.code_files(scripts / "train.py"), scripts.parents[1])
        Path(smk.output.provenance).write_text(json.dumps(made_by, indent=2) + "\n")
        # Last: what the files above are, so that a later change to one of them is caught
        record = integrity.training_record(Path(smk.output.model).parent)
        Path(smk.output.checksums).write_text(json.dumps(record, indent=2) + "\n")
        training.Checkpoint.remove(smk.params.checkpoint)


main(snakemake)  # noqa: F821 - injected by Snakemake
