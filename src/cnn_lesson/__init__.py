"""Episode 4 of the Carpentries *Introduction to deep learning* as importable, testable code."""

import os

# Take GPU memory as it is needed, not all at once, so several trainings can share one GPU.
# These must be set before a backend is imported, hence here.
os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")
os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")

__version__ = "0.1.0"
# The logger of a training's line per epoch, in its log, which the terminal shows as it is written.
PROGRESS = "cnn_lesson.progress"


def use_backend(name: str | None) -> None:
    """Choose Keras' backend (before Keras is imported); None keeps KERAS_BACKEND or TensorFlow."""
    if name:
        os.environ["KERAS_BACKEND"] = name
