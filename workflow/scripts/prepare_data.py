"""Rule prepare_data: the lesson's subsample and the test split, scaled to [0, 1], as .npz."""
import json
from pathlib import Path

from cnn_lesson import data
from cnn_lesson.workflow import integrity
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        # Still the archive download_cifar10 verified? (It may have been replaced since.)
        integrity.check_archive(smk.input.archive, smk.params.md5, smk.params.sha256)
        data.save(data.prepare(smk.input.archive, smk.params.n_train), smk.output.npz)
        verified = {"md5": smk.params.md5, "sha256": smk.params.sha256}
        record = integrity.data_checksums(smk.output.npz, smk.params.recipe, verified)
        Path(smk.output.record).write_text(json.dumps(record, indent=2) + "\n")


main(snakemake)  # noqa: F821 - injected by Snakemake
