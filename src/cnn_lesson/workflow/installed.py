"""The Keras backend the jobs will train with, checked to be installed when the config is read:
a missing one stops the run before any job, naming where it was chosen and the install line,
instead of failing in the first training after the download and the data."""

from __future__ import annotations

import importlib.util
import os

from cnn_lesson.errors import InputError

# The backends this workflow trains with, and the lock that installs each beside the CPU
# environment (requirements/refresh.sh makes them).
INSTALL = {"tensorflow": "pip install -r requirements/cpu.lock",
           "jax": "pip install -r requirements/jax.lock",
           "torch": "pip install -r requirements/torch.lock"}


def chosen_backend(configured: str | None) -> tuple[str, str]:
    """(backend, where it was chosen): training.backend, else KERAS_BACKEND, else Keras'
    default, TensorFlow."""
    if configured:
        return configured, "config key training.backend"
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"], "KERAS_BACKEND (training.backend is null)"
    return "tensorflow", "Keras' default (training.backend is null, KERAS_BACKEND unset)"


def check_backend(configured: str | None) -> str:
    """The backend the jobs will use; InputError if this workflow cannot train with it or it is
    not installed here."""
    name, where = chosen_backend(configured)
    if name not in INSTALL:
        raise InputError(
            f"{where}: {name!r} is not a backend this workflow trains with; use one of "
            f"{', '.join(INSTALL)} (Keras' other backends cannot train these models).")
    if importlib.util.find_spec(name) is None:
        others = [other for other in INSTALL if other != name
                  and importlib.util.find_spec(other) is not None]
        instead = f", or choose one that is: {', '.join(others)}" if others else ""
        raise InputError(
            f"{where}: {name} is not installed in this environment, so no training could run. "
            f"Nothing was run. Install it beside the CPU environment: `{INSTALL[name]}` (README, "
            f"GPUs and Keras backends){instead}.")
    return name
