"""Rule download_cifar10: fetch the archive (or copy a local one) and verify its checksums."""
from cnn_lesson.workflow.download import fetch
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        fetch(smk.params.source, smk.output.archive, md5=smk.params.md5,
              sha256=smk.params.sha256)


main(snakemake)  # noqa: F821 - injected by Snakemake
