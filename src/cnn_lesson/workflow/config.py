"""The config file the workflow starts from, checked to be text before Snakemake's YAML reader
sees it."""

from pathlib import Path

from cnn_lesson.edition import DEFAULT, EDITIONS, load
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


def base_config(given: dict) -> str:
    """The config file the workflow starts from: that of the edition the command line names
    (`edition:` in a --configfile, or --config edition=...), each edition's being complete; the
    CIFAR-10 edition's, config/config.yaml, when it names none. An edition that does not exist
    gets the default's, and the schema then names the key."""
    name = given.get("edition", DEFAULT)
    return load(name if name in EDITIONS else DEFAULT).CONFIG
