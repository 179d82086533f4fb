"""The one exception the package raises for bad input, so callers can tell it from a bug."""


class InputError(Exception):
    """Bad input (a file, an archive, a config value): the message says which and what to do."""
