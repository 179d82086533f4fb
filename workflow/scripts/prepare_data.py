"""Rule prepare_data: the edition's training images and test split, scaled to [0, 1], as .npz."""
import json
from pathlib import Path

from cnn_lesson import data
from cnn_lesson.edition import load
from cnn_lesson.workflow import integrity
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        source = load(smk.params.edition).DATA
        checksums, origin = smk.params.checksums, "the config"
        if checksums is None:  # those the download verified, recorded beside it
            written = json.loads(Path(smk.input.checksums).read_text())
            checksums, origin = written["checksums"], written["from"]
        # Still the data the download verified? (It may have been replaced since.)
        integrity.check_archive(smk.input.archive, source, checksums)
        dataset = data.prepare(source, smk.input.archive, checksums, smk.params.n_train)
        data.save(dataset, smk.output.npz)
        record = integrity.data_checksums(smk.output.npz, smk.params.recipe, checksums, origin)
        Path(smk.output.record).write_text(json.dumps(record, indent=2) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
