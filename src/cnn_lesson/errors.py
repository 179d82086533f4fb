"""The one exception the package raises for bad input, so callers can tell it from a bug, and
the messages for bad files."""


class InputError(Exception):
    """Bad input (a file, an archive, a config value): the message says which and what to do."""


def unreadable_model(path, error: Exception) -> InputError:
    """The error for a model file that cannot be read, with what to do."""
    return InputError(
        f"{path}: cannot be loaded as a Keras model ({type(error).__name__}: {error}). "
        f"Delete it and rerun the workflow so that train writes it again.")
