"""What bench/epoch.py and bench/gpu.py share: the lesson's data size and the epochs' times."""

import logging

import numpy as np

from cnn_lesson.logs import PROGRESS


def dataset(n_train: int = 5000, n_test: int = 10000):
    """Random images in the lesson's shapes, by default as many as the lesson's."""
    from cnn_lesson import data, synthetic

    rng = np.random.default_rng(0)
    x_train, y_train = synthetic.random_images(n_train, rng)
    x_test, y_test = synthetic.random_images(n_test, rng)
    return data.Dataset(data.scale(x_train), y_train, data.scale(x_test), y_test,
                        synthetic.CLASS_NAMES)


class EpochTimes(logging.Handler):
    """Collects the seconds of each epoch from the training's progress lines."""

    def __init__(self):
        super().__init__()
        self.times = []

    def emit(self, record):
        if hasattr(record, "seconds"):
            self.times.append(record.seconds)


def epoch_times() -> list:
    """A list that fills with the seconds of each epoch trained from now on, in this process."""
    handler = EpochTimes()
    progress = logging.getLogger(PROGRESS)
    progress.setLevel(logging.INFO)
    progress.addHandler(handler)
    return handler.times
