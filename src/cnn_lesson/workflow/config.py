"""The config file, checked to be text before Snakemake's YAML reader sees it."""

from pathlib import Path

from cnn_lesson.errors import InputError


def text_file(path: str) -> str:
    """`path`, after checking that it is text (UTF-8) if it exists: a config file of other bytes
    would otherwise fail deep inside the YAML reader, naming no file."""
    try:
        Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{path} is not a text file ({error.reason} at byte {error.start}): a "
                         f"config file is YAML text. Restore it, e.g. `git checkout {path}`.") \
            from None
    except OSError:
        pass  # a missing file: Snakemake says so itself
    return path
