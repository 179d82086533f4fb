"""The one exception the package raises for bad input, so callers can tell it from a bug, and
the messages for bad files."""

from pathlib import Path


class InputError(Exception):
    """Bad input (a file, an archive, a config value): the message says which and what to do."""


def unreadable_model(path, error: Exception) -> InputError:
    """The error for a model file that cannot be read, with what to do."""
    return InputError(
        f"{path}: cannot be loaded as a Keras model ({type(error).__name__}: {error}). "
        f"Delete it and rerun the workflow so that train writes it again.")


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
