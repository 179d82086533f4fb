"""Rule download_data: fetch the edition's data (or copy a local copy) and verify its checksums."""
import logging

from cnn_lesson import PROGRESS
from cnn_lesson.archive import TarArchive
from cnn_lesson.edition import load
from cnn_lesson.workflow.download import fetch, fetch_checked, pinning_lines
from cnn_lesson.workflow.logs import logging_to


def main(smk):
    with logging_to(smk.log[0]):
        data = load(smk.params.edition).DATA
        if isinstance(data, TarArchive):  # one file, fixed by the config's md5 and SHA-256
            fetch(smk.params.source, smk.output.archive, **smk.params.checksums)
            return
        written = fetch_checked(smk.params.source, smk.output.archive, data,
                                smk.params.checksums, smk.params.record, smk.output.checksums)
        if smk.params.checksums is None:
            print_pinning(written)


def print_pinning(written: dict) -> None:
    """Say on the terminal which md5 were taken, and the config lines that pin them: a record
    per line, as the terminal shows the lines of the PROGRESS logger that a job's log holds."""
    shown = logging.getLogger(PROGRESS)
    shown.warning("data.md5 was null: the files were checked against %s. To stop if the record "
                  "ever changes, pin them in your config:", written["from"])
    for line in pinning_lines(written["checksums"]).splitlines():
        shown.warning("%s", line)


main(snakemake)  # noqa: F821 - injected by Snakemake
